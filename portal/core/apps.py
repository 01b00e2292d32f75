from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True  # this module also holds PortalAdminConfig
    name = "portal.core"
    label = "core"


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site as the default `admin.site`."""

    default = False
    default_site = "portal.core.admin_site.PortalAdminSite"
