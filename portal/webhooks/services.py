"""Writes of webhooks: endpoints (team leads), deliveries (from dispatched events) and outcomes.

Endpoints are managed by their team's leads and administrators (`can_manage_team`). Each batch
of events the outbox dispatches gets one delivery per active endpoint of its team that wants its
kind, in the dispatch's own transaction (`deliveries_for_events`); the delivery job then sends
them and records each attempt here (`delivery_record`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.core.models import save_checked
from portal.events.kinds import EVENT_KINDS, PING, WEBHOOK_DISABLED
from portal.events.services import record_event
from portal.teams import permissions as perms
from portal.webhooks.addresses import Answer
from portal.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from portal.webhooks.selectors import endpoints_for_teams, lead_emails

logger = logging.getLogger(__name__)

RETRY_FOR = timedelta(hours=24)  # a failing delivery is retried this long, then gives up
DISABLE_AFTER = timedelta(hours=24)  # an endpoint failing this long is switched off
MAX_RETRY = 3600  # seconds between attempts at most
ANSWER_KEPT = 1024  # characters of an answer kept with its attempt

KINDS_INVALID = "Choose event kinds from the list (docs/events.md): {kinds} are not kinds."
KINDS_NOT_LIST = "Give the event kinds as a list of names (empty for every kind)."
ENDPOINT_OFF = "This endpoint is switched off: switch it on first."
DISABLED_REASON = "Every delivery failed for {hours} hours (last: {last})."
DISABLED_SUBJECT = "Webhook switched off: {url}"
DISABLED_BODY = (
    "The webhook endpoint {url} of team {team} was switched off: {reason}\n\n"
    "Deliveries waiting for it are kept. Fix the receiver, then switch the endpoint on again "
    "in the admin or the API (PATCH /api/webhooks/{id}/ with is_active true); deliveries that "
    "gave up can be sent again with Redeliver."
)
EDITABLE = ("url", "kinds", "is_active")


def retry_delay(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 30 s, 1 min, 2 min, ... at most an hour.

    The first wait is WEBHOOKS_FIRST_RETRY_SECONDS (30 s unless changed)."""
    first = settings.WEBHOOKS_FIRST_RETRY_SECONDS
    return timedelta(seconds=min(MAX_RETRY, first * 2 ** max(0, attempts - 1)))


def _check_kinds(kinds) -> None:
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise ValidationError({"kinds": KINDS_NOT_LIST})
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        shown = ", ".join(repr(k[:40]) for k in unknown[:5])
        raise ValidationError({"kinds": KINDS_INVALID.format(kinds=shown)})


def _may_manage(actor, team) -> None:
    if not perms.can_manage_team(actor, team):
        raise PermissionDenied(perms.DENIED_MANAGE_TEAM)


def _nudge_after_commit() -> None:
    from portal.webhooks.jobs import nudge

    transaction.on_commit(nudge)


@transaction.atomic
def endpoint_create(
    *, actor, team, url: str, kinds: list[str] | None = None, is_active: bool = True
) -> Endpoint:
    _may_manage(actor, team)
    kinds = [] if kinds is None else kinds
    _check_kinds(kinds)
    endpoint = Endpoint(
        team=team, url=url, kinds=list(dict.fromkeys(kinds)), is_active=is_active, created_by=actor
    )
    endpoint.full_clean()
    save_checked(endpoint)
    return endpoint


@transaction.atomic
def endpoint_update(*, actor, endpoint: Endpoint, **changes) -> Endpoint:
    """Change the URL, the kinds or the switch; switching on clears the failure record."""
    _may_manage(actor, endpoint.team)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    if "kinds" in changes:
        _check_kinds(changes["kinds"])
        changes["kinds"] = list(dict.fromkeys(changes["kinds"]))
    switched_on = changes.get("is_active") is True and not endpoint.is_active
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if switched_on:
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
        _nudge_after_commit()  # deliveries kept while it was off go out now
    endpoint.full_clean()
    save_checked(endpoint)
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor, endpoint: Endpoint) -> None:
    _may_manage(actor, endpoint.team)
    endpoint.delete()


@transaction.atomic
def endpoint_send_test(*, actor, endpoint: Endpoint) -> Delivery:
    """Queue a `ping` to the endpoint (sent once, not retried; no event is recorded)."""
    _may_manage(actor, endpoint.team)
    if not endpoint.is_active:
        raise ValidationError(ENDPOINT_OFF)
    now = timezone.now()
    delivery = Delivery.objects.create(
        endpoint=endpoint, kind=PING, next_attempt_at=now, retry_until=now
    )
    _nudge_after_commit()
    return delivery


@transaction.atomic
def delivery_redeliver(*, actor, delivery: Delivery) -> Delivery:
    """Send a delivery again (same event id: receivers see a repeat), retried for 24 h anew."""
    _may_manage(actor, delivery.endpoint.team)
    if not delivery.endpoint.is_active:
        raise ValidationError(ENDPOINT_OFF)
    now = timezone.now()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.retry_until = now + (timedelta(0) if delivery.is_ping else RETRY_FOR)
    delivery.finished_at = None
    delivery.save(update_fields=["status", "next_attempt_at", "retry_until", "finished_at"])
    _nudge_after_commit()
    return delivery


# --- from the outbox -------------------------------------------------------------------------
def deliveries_for_events(events, **kwargs) -> None:
    """`on_dispatch` listener: a delivery per (active endpoint of the team, wanted event).

    Two queries per batch whatever its size (the endpoints, one INSERT; SQLite splits large
    INSERTs). Idempotent: (endpoint, event) is unique, a repeat adds nothing.
    """
    team_ids = sorted({e.team_id for e in events if e.team_id is not None})
    if not team_ids:
        return
    by_team = defaultdict(list)
    for endpoint in endpoints_for_teams(team_ids):
        by_team[endpoint.team_id].append(endpoint)
    if not by_team:
        return
    now = timezone.now()
    rows = [
        Delivery(
            endpoint=endpoint,
            event=event,
            kind=event.kind,
            task_id=event.task_id,
            next_attempt_at=now,
            retry_until=now + RETRY_FOR,
        )
        for event in events
        for endpoint in by_team.get(event.team_id, ())
        if endpoint.wants(event.kind)
    ]
    if rows:
        Delivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        _nudge_after_commit()


# --- the delivery job's records --------------------------------------------------------------
def delivery_claim(*, delivery_id: int, now: datetime, lease: timedelta) -> bool:
    """Take a due delivery for one send (one UPDATE); False when another worker has it.

    The lease moves `next_attempt_at` on: if this worker dies while sending, the delivery is
    due again when the lease runs out (at least once).
    """
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + lease)
    )


def _outcome(delivery: Delivery, answer: Answer, *, refused: bool, now: datetime) -> str:
    code = answer.status_code
    if code is not None and 200 <= code < 300:
        return DeliveryStatus.SUCCEEDED
    retryable = not refused and (code is None or code == 429 or code >= 500)
    if not retryable or delivery.is_ping:
        return DeliveryStatus.FAILED
    if now >= delivery.retry_until:
        return DeliveryStatus.GAVE_UP
    return DeliveryStatus.PENDING


@transaction.atomic
def delivery_record(
    *, delivery: Delivery, answer: Answer, now: datetime, refused: bool = False
) -> Delivery:
    """Record one attempt and what follows: done, retried later, failed or given up.

    Connection errors, timeouts, 5xx and 429 are retried (30 s, 1 min, 2 min, ... an hour at
    most) until `retry_until`; any other answer but 2xx fails at once. An endpoint whose
    deliveries fail for DISABLE_AFTER without a success between is switched off.
    """
    Attempt.objects.create(
        delivery=delivery,
        at=now,
        status_code=answer.status_code,
        error=answer.error[:300],
        duration_ms=answer.duration_ms,
        response=answer.body[:ANSWER_KEPT].decode("utf-8", "replace").replace("\x00", ""),
    )
    status = _outcome(delivery, answer, refused=refused, now=now)
    delivery.attempts += 1
    delivery.status = status
    delivery.last_status_code = answer.status_code
    delivery.last_error = answer.error[:300]
    if status == DeliveryStatus.PENDING:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    else:
        delivery.next_attempt_at = None
        delivery.finished_at = now
    delivery.save(
        update_fields=[
            "attempts",
            "status",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "finished_at",
        ]
    )
    if not delivery.is_ping:  # a test says nothing of how the endpoint does with events
        _endpoint_health(delivery, ok=status == DeliveryStatus.SUCCEEDED, now=now)
    return delivery


def _endpoint_health(delivery: Delivery, *, ok: bool, now: datetime) -> None:
    endpoints = Endpoint.objects.filter(pk=delivery.endpoint_id)
    if ok:
        endpoints.filter(failing_since__isnull=False).update(failing_since=None)
        return
    endpoints.filter(failing_since__isnull=True).update(failing_since=now)
    endpoint = endpoints.select_for_update().select_related("team").first()
    if endpoint is None or not endpoint.is_active or endpoint.failing_since > now - DISABLE_AFTER:
        return
    last = delivery.last_error or f"HTTP {delivery.last_status_code}"
    endpoint_disable(
        endpoint=endpoint,
        reason=DISABLED_REASON.format(hours=int(DISABLE_AFTER.total_seconds() // 3600), last=last),
        now=now,
    )


def endpoint_disable(*, endpoint: Endpoint, reason: str, now: datetime) -> None:
    """Switch a failing endpoint off, record `webhook.disabled` and tell the team's leads."""
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason[:300]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    record_event(
        WEBHOOK_DISABLED,
        team_id=endpoint.team_id,
        payload={"endpoint": endpoint.pk, "url": endpoint.url, "reason": endpoint.disabled_reason},
    )
    logger.warning("webhook endpoint %s switched off: %s", endpoint.pk, reason)
    transaction.on_commit(lambda: _tell_leads(endpoint))


def _tell_leads(endpoint: Endpoint) -> None:
    recipients = lead_emails(endpoint.team_id)
    if not recipients:
        return
    body = DISABLED_BODY.format(
        url=endpoint.url, team=endpoint.team.name, reason=endpoint.disabled_reason, id=endpoint.pk
    )
    subject = " ".join(DISABLED_SUBJECT.format(url=endpoint.url[:150]).split())
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the event and the admin show it; a mail outage must not undo that
        logger.exception("webhook endpoint %s: telling the leads failed", endpoint.pk)
