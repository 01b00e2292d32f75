from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "portal.attachments"
    label = "attachments"
    verbose_name = "Attachments"

    def ready(self) -> None:
        from portal.attachments import receivers  # noqa: F401  (stored files follow their rows)
