from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Registers the dispatch listener (portal.events.services.on_dispatch): watchers and
        # notifications are made from the outbox's events, never during the write itself.
        from portal.notifications import receivers  # noqa: F401
