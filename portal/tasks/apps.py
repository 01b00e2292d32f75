from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "portal.tasks"
    label = "tasks"

    def ready(self) -> None:
        from portal.core.spreadsheets import register_sheet

        # Registers the tasks' rules with the teams' services (a person made viewer, or removed
        # from a team, is taken off its tasks) before any door can change a membership.
        from portal.tasks import (
            resources,
            services,  # noqa: F401
        )

        register_sheet(
            "tasks", resources.TaskResource, resources.tasks_for_sheet, takes_filters=True
        )
        register_sheet("tags", resources.TagResource, resources.tags_for_sheet)
        register_sheet("comments", resources.CommentResource, resources.comments_for_sheet)
