"""From the outbox to a receiver on 127.0.0.1: bodies, signatures, order, retries, switching off."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.events import kinds
from portal.events.models import Event
from portal.events.services import events_dispatch
from portal.tasks import services as ts
from portal.webhooks.jobs import deliver_due
from portal.webhooks.models import Delivery, DeliveryStatus, Endpoint
from portal.webhooks.services import (
    DISABLE_AFTER,
    deliveries_for_events,
    delivery_redeliver,
    endpoint_create,
    endpoint_send_test,
    endpoint_update,
    retry_delay,
)
from portal.webhooks.signing import signature
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def documented_verify():
    """The verification snippet exactly as docs/events.md prints it."""
    text = DOCS.read_text()
    code = re.search(r"<!-- webhook-verify -->\n```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    return namespace["verify"]


def dispatch_and_deliver() -> int:
    events_dispatch()
    return deliver_due()


def test_the_body_headers_and_signature_verify_with_the_documented_code(
    team, lead, endpoint, receiver
):
    task = ts.task_create(actor=lead, team=team, title="Ship it")
    assert dispatch_and_deliver() == 1
    [request] = receiver.requests
    body, headers = request["body"], request["headers"]
    event = Event.objects.get(kind=kinds.TASK_CREATED)
    assert json.loads(body) == {
        "id": event.pk,
        "kind": "task.created",
        "created_at": timezone.localtime(event.created_at).isoformat(),
        "team": team.pk,
        "task": task.pk,
        "actor": lead.pk,
        "payload": event.payload,
    }
    delivery = Delivery.objects.get()
    assert headers["X-Portal-Event"] == "task.created"
    assert headers["X-Portal-Delivery"] == str(delivery.pk)
    assert headers["Content-Type"] == "application/json"
    expected = signature(endpoint.secret, headers["X-Portal-Timestamp"], body)
    assert headers["X-Portal-Signature"] == f"sha256={expected}"
    verify = documented_verify()
    assert verify(endpoint.secret, headers, body) is True
    assert verify(endpoint.secret, headers, body.replace(b"Ship", b"Sink")) is False
    assert verify("another-secret", headers, body) is False
    stale = {**headers, "X-Portal-Timestamp": str(int(headers["X-Portal-Timestamp"]) - 3600)}
    assert verify(endpoint.secret, stale, body) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    attempt = delivery.attempt_set.get()
    assert (attempt.status_code, attempt.response) == (200, "answer 200")


def test_events_of_a_task_arrive_in_order(team, lead, endpoint, receiver):
    task = ts.task_create(actor=lead, team=team, title="v0")
    for n in range(1, 6):
        ts.task_update(actor=lead, task=task, title=f"v{n}")
    other = ts.task_create(actor=lead, team=team, title="other")
    dispatch_and_deliver()
    got = receiver.events()
    of_task = [e["id"] for e in got if e["task"] == task.pk]
    assert of_task == sorted(of_task) and len(of_task) == 6
    assert [e["payload"]["title"] for e in got if e["task"] == task.pk] == [
        f"v{n}" for n in range(6)
    ]
    assert any(e["task"] == other.pk for e in got)


def test_only_active_endpoints_of_the_team_that_want_the_kind_get_a_delivery(
    team, lead, receiver, endpoint
):
    only_comments = endpoint_create(
        actor=lead, team=team, url=receiver.url + "?c", kinds=[kinds.COMMENT_CREATED]
    )
    off = endpoint_create(actor=lead, team=team, url=receiver.url + "?off", is_active=False)
    other_team = TeamFactory()
    task = ts.task_create(actor=lead, team=team, title="T")
    ts.comment_add(actor=lead, task=task, body="hi")
    ts.task_create(actor=UserFactory(is_superuser=True), team=other_team, title="elsewhere")
    events_dispatch()
    assert sorted(Delivery.objects.values_list("endpoint_id", "kind")) == sorted(
        [
            (endpoint.pk, "task.created"),
            (endpoint.pk, "comment.created"),
            (only_comments.pk, "comment.created"),
        ]
    )
    assert not Delivery.objects.filter(endpoint=off).exists()


def test_dispatch_adds_two_queries_per_batch_whatever_its_size(team, lead, receiver):
    for n in range(3):
        endpoint_create(actor=lead, team=team, url=f"{receiver.url}?{n}")

    def cost(count):
        for n in range(count):
            ts.task_create(actor=lead, team=team, title=f"T{n}")
        events = list(Event.objects.filter(dispatched_at__isnull=True))
        Event.objects.update(dispatched_at=timezone.now())
        with CaptureQueriesContext(connection) as ctx:
            deliveries_for_events(events=events)
        sql = [q["sql"].split()[0] for q in ctx.captured_queries]
        assert sql[0] == "SELECT" and set(sql[1:]) == {"INSERT"}
        return len(sql)

    # SELECT the endpoints, INSERT the deliveries (500 rows per INSERT; SQLite splits them
    # further at its parameter limit, 83 rows of 12 columns).
    assert cost(2) == 2
    assert cost(100) == (2 if connection.vendor == "postgresql" else 1 + 4)
    assert Delivery.objects.count() == 102 * 3


def test_dispatching_twice_adds_nothing(team, lead, endpoint):
    ts.task_create(actor=lead, team=team, title="T")
    events = list(Event.objects.all())
    deliveries_for_events(events=events)
    deliveries_for_events(events=events)
    assert Delivery.objects.count() == 1


def _run_until_settled(traveller, *, limit=60):
    """Run the delivery job, then move the clock to the next retry, until nothing is pending."""
    for _ in range(limit):
        deliver_due()
        pending = Delivery.objects.filter(status=DeliveryStatus.PENDING)
        if not pending.exists():
            return
        # Deliveries held back by an earlier one are due already; the retry is in the future.
        later = pending.filter(next_attempt_at__gt=timezone.now()).order_by("next_attempt_at")
        traveller.move_to(later.values_list("next_attempt_at", flat=True)[0] + timedelta(seconds=1))
    raise AssertionError(
        f"deliveries still pending: {list(pending.values('pk', 'attempts', 'next_attempt_at'))}"
        f" at {timezone.now()}"
    )


def test_500s_for_a_while_then_200_loses_nothing_and_keeps_order(team, lead, endpoint, receiver):
    receiver.answers = [500, 502, 503, 429, 200]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        task = ts.task_create(actor=lead, team=team, title="v0")
        for n in range(1, 4):
            ts.task_update(actor=lead, task=task, title=f"v{n}")
        events_dispatch()
        _run_until_settled(traveller)
    delivered = [e["id"] for e in receiver.events(ok_only=True)]
    assert delivered == sorted(Event.objects.values_list("pk", flat=True))
    # Every request, failed ones included, went out in the task's order.
    sent = [e["id"] for e in receiver.events()]
    assert sent == sorted(sent) and len(sent) == 4 + 4
    first = Delivery.objects.order_by("event_id").first()
    assert first.attempts == 5 and first.status == DeliveryStatus.SUCCEEDED
    assert [a.status_code for a in first.attempt_set.all()] == [500, 502, 503, 429, 200]
    gaps = [
        (b.at - a.at).total_seconds()
        for a, b in zip(first.attempt_set.all(), list(first.attempt_set.all())[1:], strict=False)
    ]
    assert gaps == [31, 61, 121, 241]  # 30 s, 1 min, 2 min, 4 min (+1 s: the test's step)
    assert Endpoint.objects.get().failing_since is None


def test_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 30)] == [
        30,
        60,
        120,
        1920,
        3600,
        3600,
    ]


def test_a_4xx_answer_fails_without_retry_and_the_next_event_goes(team, lead, endpoint, receiver):
    receiver.answers = [400, 200]
    task = ts.task_create(actor=lead, team=team, title="A")
    ts.task_update(actor=lead, task=task, title="B")
    dispatch_and_deliver()
    first, second = Delivery.objects.order_by("event_id")
    assert (first.status, first.attempts, first.next_attempt_at) == ("failed", 1, None)
    assert first.last_status_code == 400
    assert second.status == "succeeded"
    assert len(receiver.requests) == 2


def test_an_endpoint_failing_for_24_hours_is_switched_off_and_its_leads_told(
    team, lead, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        started = timezone.now()
        ts.task_create(actor=lead, team=team, title="Doomed")
        events_dispatch()
        with django_capture_on_commit_callbacks(execute=True):
            _run_until_settled(traveller)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.GAVE_UP
    assert delivery.finished_at - started >= timedelta(hours=24)
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.disabled_at - endpoint.failing_since >= DISABLE_AFTER
    assert "HTTP 500" in endpoint.disabled_reason
    disabled = Event.objects.get(kind=kinds.WEBHOOK_DISABLED)
    assert disabled.team_id == team.pk
    assert disabled.payload == {
        "endpoint": endpoint.pk,
        "url": endpoint.url,
        "reason": endpoint.disabled_reason,
    }
    [message] = mail.outbox
    assert message.to == [lead.email] and endpoint.url in message.subject
    # A switched-off endpoint gets nothing more until it is switched on again.
    ts.task_create(actor=lead, team=team, title="Later")
    events_dispatch()
    assert Delivery.objects.count() == 1 and deliver_due() == 0
    receiver.answers = [200]
    receiver.requests.clear()
    endpoint_update(actor=lead, endpoint=endpoint, is_active=True)
    ts.task_create(actor=lead, team=team, title="Back")
    assert dispatch_and_deliver() == 1
    assert [e["payload"]["title"] for e in receiver.events()] == ["Back"]
    endpoint.refresh_from_db()
    assert (endpoint.disabled_at, endpoint.failing_since, endpoint.disabled_reason) == (
        None,
        None,
        "",
    )


def test_a_success_resets_the_failing_clock(team, lead, endpoint, receiver):
    receiver.answers = [500, 200]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        ts.task_create(actor=lead, team=team, title="A")
        events_dispatch()
        deliver_due()
        assert Endpoint.objects.get().failing_since is not None
        _run_until_settled(traveller)
    assert Endpoint.objects.get().failing_since is None


def test_a_test_ping_is_sent_once_and_signed(team, lead, endpoint, receiver):
    receiver.answers = [503]
    delivery = endpoint_send_test(actor=lead, endpoint=endpoint)
    assert deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    [request] = receiver.requests
    assert json.loads(request["body"])["kind"] == "ping"
    assert request["headers"]["X-Portal-Event"] == "ping"
    assert documented_verify()(endpoint.secret, request["headers"], request["body"])
    assert Endpoint.objects.get().failing_since is None  # a test says nothing of its health


def test_redeliver_sends_the_same_event_again(team, lead, endpoint, receiver):
    ts.task_create(actor=lead, team=team, title="A")
    dispatch_and_deliver()
    delivery = Delivery.objects.get()
    delivery_redeliver(actor=lead, delivery=delivery)
    assert deliver_due() == 1
    first, second = receiver.events()
    assert first == second  # same body, same event id: the receiver's idempotency key
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_an_address_refused_at_send_time_fails_without_retry(
    team, lead, endpoint, receiver, settings
):
    ts.task_create(actor=lead, team=team, title="A")
    events_dispatch()
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "loopback" in delivery.last_error
    assert receiver.requests == []


def test_a_delivery_waits_for_an_earlier_undispatched_event_of_its_task(team, lead, endpoint):
    task = ts.task_create(actor=lead, team=team, title="A")
    ts.task_update(actor=lead, task=task, title="B")
    first, second = Event.objects.order_by("pk")
    # Another dispatcher took the later event first: its delivery waits for the earlier one.
    deliveries_for_events(events=[second])
    Event.objects.filter(pk=second.pk).update(dispatched_at=timezone.now())
    from portal.webhooks.selectors import deliveries_due

    assert list(deliveries_due(now=timezone.now())) == []
    events_dispatch()
    assert [d.event_id for d in deliveries_due(now=timezone.now())] == [first.pk]


def test_a_lease_left_by_a_killed_worker_runs_out(team, lead, endpoint, receiver):
    from portal.webhooks.jobs import lease
    from portal.webhooks.services import delivery_claim

    ts.task_create(actor=lead, team=team, title="A")
    events_dispatch()
    delivery = Delivery.objects.get()
    now = timezone.now()
    assert delivery_claim(delivery_id=delivery.pk, now=now, lease=lease())
    assert not delivery_claim(delivery_id=delivery.pk, now=now, lease=lease())  # taken
    assert deliver_due() == 0  # the claimant "died": nothing until the lease ends
    with time_machine.travel(now + lease() + timedelta(seconds=1), tick=False):
        assert deliver_due() == 1
    assert len(receiver.requests) == 1
