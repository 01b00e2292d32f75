from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AdminSiteConfig(AppConfig):
    default = True  # this module also holds PortalAdminConfig
    name = "portal.adminsite"
    label = "adminsite"
    verbose_name = "admin door"


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site as the default `admin.site`."""

    default = False
    default_site = "portal.adminsite.site.PortalAdminSite"
