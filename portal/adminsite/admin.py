"""Registers the admin pages that span apps (found by the admin's autodiscovery)."""

from portal.adminsite import tasks, teams, users  # noqa: F401
