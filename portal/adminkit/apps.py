from django.apps import AppConfig


class AdminKitConfig(AppConfig):
    name = "portal.adminkit"
    label = "adminkit"
    verbose_name = "admin kit"
