from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import admin

# The sign-in pages, and the admin login whose lockout answer uses account/lockout.html.
PATHS = ("/accounts/", "/admin/login/")


def unfold_site(request) -> dict:
    """The admin site's context (title, colours, theme) for the sign-in pages, so they use
    unfold's layout and look like the rest of the portal."""
    if not request.path.startswith(PATHS):
        return {}
    context = admin.site.each_context(request)
    context["lockout_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # The sign-in page links sign-up only while it is open (ACCOUNT_ALLOW_SIGNUP).
    context["signup_open"] = get_adapter(request).is_open_for_signup(request)
    return context
