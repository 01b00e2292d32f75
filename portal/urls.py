from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal.accounts import views as account_views
from portal.core.views import favicon

urlpatterns = [
    # The front door (/) and the team pages (/teams/...).
    path("", include("portal.pages.urls")),
    path("admin/", admin.site.urls),
    # allauth's email page, showing an address the administrator gave the account as verified.
    path("accounts/email/", account_views.email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("api/", include("portal.api.urls")),
    path("favicon.ico", favicon, name="favicon"),
]
if settings.DEVTOOLS_FLOOR_VIEW:
    # The API list's floor, for measuring the list beside it (docs/load-test.md).
    urlpatterns.append(path("devtools/", include("portal.devtools.urls")))

# Error pages: JSON under /api/ (API clients always get JSON), Django's pages elsewhere.
handler400 = "portal.core.views.bad_request"
handler403 = "portal.core.views.permission_denied"
handler404 = "portal.core.views.page_not_found"
handler500 = "portal.core.views.server_error"
