from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "portal.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules
        from django_q.signals import pre_enqueue

        from portal.jobs import (
            checks,  # noqa: F401  (registers the system checks)
            outbox,  # noqa: F401  (dispatches events when a write commits)
        )
        from portal.jobs.runner import record_scheduled_slot

        # Every app's jobs.py registers its job kinds (portal.jobs.registry).
        autodiscover_modules("jobs")
        # A schedule slot gets its job record as the scheduler fires it (docs/jobs.md).
        pre_enqueue.connect(record_scheduled_slot, dispatch_uid="portal.jobs.record_slot")
