"""`DJANGO_SETTINGS_MODULE=portal.settings` loads the environment-driven base settings."""

from portal.settings.base import *  # noqa: F403
