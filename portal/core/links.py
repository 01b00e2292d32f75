"""Absolute links for messages made without a request (background jobs' emails)."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` on the portal's public address (`PORTAL_URL`)."""
    return settings.PORTAL_URL + "/" + path.lstrip("/")
