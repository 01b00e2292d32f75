"""The delivery job: send the webhook deliveries that are due (docs/events.md, Webhooks).

Deliveries are rows (portal.webhooks.models); the broker only rings the bell. A dispatch that
creates deliveries, a test or a redelivery sends one message after commit (a cache key keeps a
burst to one); the `webhooks-deliver` schedule runs the same job every minute for retries that
fall due and for anything whose message was lost. Each delivery is claimed by one UPDATE with a
lease, so jobs running at once never send the same delivery together, and one killed mid-send
leaves it due again when the lease runs out.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from portal.core.cache import first_in_window
from portal.webhooks import addresses
from portal.webhooks.models import Delivery
from portal.webhooks.selectors import deliveries_due
from portal.webhooks.services import delivery_claim, delivery_record
from portal.webhooks.signing import event_body, request_headers

logger = logging.getLogger(__name__)

DELIVER = "portal.webhooks.jobs.deliver_due"
QUEUED_KEY = "webhooks:deliver-queued"
QUEUED_FOR = 30  # seconds
BATCH = 100
RUN_FOR = 240  # seconds a run keeps going before it hands over to a new message


def lease() -> timedelta:
    """How long a claimed delivery is held (WEBHOOKS_LEASE_SECONDS, longer than a send can
    take); a delivery whose worker died is due again after it."""
    return timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)


def deliver_due(*, run_for: float = RUN_FOR) -> int:
    """The job: send due deliveries until none is left; returns how many were sent."""
    cache.delete(QUEUED_KEY)
    deadline = time.monotonic() + run_for
    sent = 0
    while True:
        due = list(deliveries_due(now=timezone.now()).values_list("pk", flat=True)[:BATCH])
        if not due:
            return sent
        for delivery_id in due:
            if time.monotonic() > deadline:
                nudge()
                return sent
            # The lease runs from the claim, not from when the batch was read: sends before it
            # in the batch may have taken minutes, and a lease already run out would let
            # another run send this delivery at the same time.
            if delivery_claim(delivery_id=delivery_id, now=timezone.now(), lease=lease()):
                deliver_one(delivery_id)
                sent += 1


def deliver_one(delivery_id: int) -> Delivery:
    """Send one claimed delivery and record the attempt."""
    delivery = Delivery.objects.select_related("endpoint__team", "event").get(pk=delivery_id)
    body = event_body(delivery)
    try:
        answer = addresses.post(delivery.endpoint.url, body, request_headers(delivery, body))
        refused = False
    except addresses.AddressRefused as exc:
        answer, refused = addresses.Answer(None, b"", 0, str(exc)), True
    return delivery_record(delivery=delivery, answer=answer, now=timezone.now(), refused=refused)


def nudge() -> None:
    """Start a delivery run now, unless one is already waiting to start."""
    from django_q.tasks import async_task

    if not first_in_window(QUEUED_KEY, QUEUED_FOR):
        return
    try:
        async_task(DELIVER, q_options={"task_name": "webhooks-deliver", "group": "webhooks"})
    except Exception as exc:  # the broker is down: the schedule delivers within a minute
        cache.delete(QUEUED_KEY)
        logger.warning("webhooks: could not start a delivery run: %s", exc)
