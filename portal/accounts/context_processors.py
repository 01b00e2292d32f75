from django.contrib import admin

# The sign-in pages, and the admin login whose lockout answer uses account/lockout.html.
PATHS = ("/accounts/", "/admin/login/")


def unfold_site(request) -> dict:
    """The admin site's context (title, colours, theme) for the sign-in pages, so they use
    unfold's layout and look like the rest of the portal."""
    if not request.path.startswith(PATHS):
        return {}
    return admin.site.each_context(request)
