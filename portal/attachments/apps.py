from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "portal.attachments"
    label = "attachments"
    verbose_name = "Attachments"

    def ready(self) -> None:
        from portal.attachments import receivers  # noqa: F401  (stored files follow their rows)
        from portal.attachments.activity import SOURCE
        from portal.tasks.selectors.activity import register_activity_source

        # Uploads and deletions in the team's activity feed.
        register_activity_source(SOURCE)
