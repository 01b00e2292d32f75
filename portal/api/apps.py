from django.apps import AppConfig


class ApiConfig(AppConfig):
    verbose_name = "API"
    name = "portal.api"
    label = "api"
