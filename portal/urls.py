from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from portal.core.views import favicon

urlpatterns = [
    # The admin is the product: the site root opens it.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("portal.api.urls")),
    path("favicon.ico", favicon, name="favicon"),
]
