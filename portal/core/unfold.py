"""Callbacks referenced by dotted path from settings.UNFOLD."""

from django.conf import settings


def environment_callback(request) -> list[str]:
    """Label shown in the admin header: which environment this is."""
    env = getattr(settings, "ENVIRONMENT", "dev")
    colour = {"prod": "danger", "staging": "warning"}.get(env, "info")
    return [env, colour]
