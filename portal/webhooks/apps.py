from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "portal.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from portal.events.services import on_dispatch
        from portal.webhooks.services import deliveries_for_events

        # Each batch of dispatched events gets its deliveries in the dispatch's transaction.
        on_dispatch(deliveries_for_events)
