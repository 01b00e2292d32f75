from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"

    def ready(self):
        from django.core.checks import Tags, register

        from portal.core.capacity import check_database_connections

        register(check_database_connections, Tags.database)
