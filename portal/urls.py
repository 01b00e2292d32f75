from django.contrib import admin
from django.urls import include, path

from portal.core.views import favicon

urlpatterns = [
    # The front door (/) and the team pages (/teams/...).
    path("", include("portal.pages.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("portal.api.urls")),
    path("favicon.ico", favicon, name="favicon"),
]
