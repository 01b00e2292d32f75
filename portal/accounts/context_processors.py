from django.contrib import admin


def unfold_site(request) -> dict:
    """The admin site's context (title, colours, theme) for the sign-in pages under /accounts/,
    so they use unfold's layout and look like the rest of the portal."""
    if not request.path.startswith("/accounts/"):
        return {}
    return admin.site.each_context(request)
