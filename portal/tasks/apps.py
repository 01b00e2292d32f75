from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TasksConfig(AppConfig):
    name = "portal.tasks"
    label = "tasks"

    def ready(self) -> None:
        # Registers the tasks' rules with the teams' services (a person made viewer, or removed
        # from a team, is taken off its tasks) before any door can change a membership. The
        # tasks' sheets are declared in `portal.tasks.resources.SHEETS`.
        from portal.tasks import services  # noqa: F401

        # The indexes that order lists by custom numbers and dates: `migrate` makes any that
        # are missing (portal/tasks/custom_indexes.py).
        post_migrate.connect(_sync_custom_indexes, sender=self)


def _sync_custom_indexes(using="default", **kwargs) -> None:
    from django.db import connections

    from portal.tasks.custom_indexes import sync_order_indexes

    if connections[using].vendor == "postgresql" and using == "default":
        sync_order_indexes()
