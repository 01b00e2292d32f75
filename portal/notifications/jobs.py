"""Background jobs of the notifications app (django-q2): emails and the purge.

`send_soon` starts `send_immediate` through the broker when a dispatch made notifications to
email at once. If that message is lost, the daily digest run sends them too (it sends what
waits to be sent at once before the digest). Schedules: `portal/jobs/schedules.py`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portal.notifications.email import emails_send
from portal.notifications.kinds import Delivery
from portal.notifications.services import notifications_purge

logger = logging.getLogger(__name__)

SEND_IMMEDIATE = "portal.notifications.jobs.send_immediate"


def send_soon() -> None:
    from django_q.tasks import async_task

    try:
        async_task(SEND_IMMEDIATE, q_options={"task_name": "notify-email", "group": "notify"})
    except Exception as exc:  # the broker is down: the next run or the digest sends them
        logger.warning("notifications: could not start the email job: %s", exc)


def send_immediate() -> dict:
    outcome = emails_send(delivery=Delivery.IMMEDIATELY)
    return {"sent": outcome.sent, "skipped": outcome.skipped, "failed": outcome.failed}


def send_digest() -> dict:
    """The daily digest (and anything to send at once that a lost message left waiting)."""
    now = send_immediate()
    digest = emails_send(delivery=Delivery.DIGEST)
    return {"immediate": now, "digests": digest.sent, "failed": digest.failed}


def purge() -> int:
    """Delete read notifications older than NOTIFICATIONS_KEEP_DAYS."""
    before = timezone.now() - timedelta(days=settings.NOTIFICATIONS_KEEP_DAYS)
    deleted = notifications_purge(before=before)
    logger.info("notifications: %s read notification(s) purged", deleted)
    return deleted
