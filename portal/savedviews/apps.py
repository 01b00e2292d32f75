from django.apps import AppConfig


class SavedViewsConfig(AppConfig):
    name = "portal.savedviews"
    label = "savedviews"
    verbose_name = "Saved views"
