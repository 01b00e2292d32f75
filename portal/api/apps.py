from django.apps import AppConfig


class ApiConfig(AppConfig):
    verbose_name = "API"
    name = "portal.api"
    label = "api"

    def ready(self):
        # drf-spectacular finds extensions by import.
        from portal.api import filters, schema  # noqa: F401
