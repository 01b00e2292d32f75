from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "portal.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Every app's jobs.py registers its job kinds (portal.jobs.registry).
        autodiscover_modules("jobs")
