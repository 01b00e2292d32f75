from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "portal.tasks"
    label = "tasks"

    def ready(self) -> None:
        # Registers the tasks' rules with the teams' services (a person made viewer, or removed
        # from a team, is taken off its tasks) before any door can change a membership. The
        # tasks' sheets are declared in `portal.tasks.resources.SHEETS`.
        from portal.tasks import services  # noqa: F401
