"""Webhooks on a real cluster: a receiver failing at first, a cluster killed mid-send, a new one.

Like tests/jobs/test_cluster.py (whose fixtures it uses): real `manage.py qcluster` processes on
a throwaway redis-server, sharing the PostgreSQL test database (skipped on SQLite, where other
processes cannot see the test's data). The receiver runs in this process on 127.0.0.1; the
clusters get WEBHOOKS_ALLOW_PRIVATE through their environment, and a short lease and first
retry so the test ends in well under a minute and a half.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict

import pytest
from django.utils import timezone
from django_q.models import Schedule

from portal.events.models import Event
from portal.jobs.schedules import setup_schedules
from portal.tasks import services as ts
from portal.webhooks.models import Delivery, DeliveryStatus
from tests.jobs.conftest import own_queue as own_queue
from tests.jobs.test_cluster import clusters as clusters
from tests.jobs.test_cluster import needs_postgresql as needs_postgresql
from tests.jobs.test_cluster import redis_server as redis_server
from tests.jobs.test_cluster import wait_for

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.django_db(transaction=True),
]

TASKS = 20
ROUNDS = 10  # events per task: created, then nine updates
FAILING = 20  # the receiver answers 500 to this many requests first
HOLD_AT = 60  # the request (0-based) whose sender is killed while it waits for the answer
CLUSTER_ENV = {
    "WEBHOOKS_ALLOW_PRIVATE": "true",
    # A killed send is due again after 8 s (sends to 127.0.0.1 take milliseconds)...
    "WEBHOOKS_LEASE_SECONDS": "8",
    # ...and a failed one after 1 s, so retries happen while the writes go on.
    "WEBHOOKS_FIRST_RETRY_SECONDS": "1",
}


@pytest.fixture
def shared_cache(redis_server, settings):
    """This process's cache is the clusters' cache (their REDIS_URL): the keys that keep a
    burst of writes to one dispatch message must be the ones the dispatch clears."""
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis_server.port}/0",
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }


def receipts(receiver) -> list[tuple[dict, int]]:
    with receiver.lock:
        return [(json.loads(r["body"]), r["status"]) for r in receiver.requests]


def test_every_event_arrives_in_order_per_task_through_failures_and_a_kill_9(
    clusters, shared_cache, team, lead, receiver, endpoint
):
    setup_schedules()
    receiver.answers = [500] * FAILING + [200]
    receiver.hold_at = HOLD_AT
    first = clusters("a", **CLUSTER_ENV)

    tasks = [ts.task_create(actor=lead, team=team, title=f"Service {i}") for i in range(TASKS)]
    wait_for(lambda: receiver.requests, 30, "cluster a to send the first delivery")
    killed_at = None  # successful receipts when cluster a was killed
    second = None
    for n in range(1, ROUNDS):
        for i, task in enumerate(tasks):
            tasks[i] = ts.task_update(actor=lead, task=task, title=f"Service {i} v{n}")
            if killed_at is None and receiver.held.is_set():
                killed_at, second = kill_and_restart(first, clusters, receiver)
            time.sleep(0.02)  # writes spread over a few seconds, as people make them
    if killed_at is None:  # the writes outran the deliveries: kill now, still mid-batch
        wait_for(receiver.held.is_set, 60, f"request {HOLD_AT} to arrive")
        killed_at, second = kill_and_restart(first, clusters, receiver)

    expected = set(Event.objects.filter(team_id=team.pk).values_list("pk", flat=True))
    assert len(expected) == TASKS * ROUNDS
    assert killed_at < len(expected)  # the kill came in the middle of the deliveries

    def settled():
        if Event.objects.filter(dispatched_at__isnull=True).exists():
            return False
        deliveries = Counter(Delivery.objects.values_list("status", flat=True))
        return deliveries == {DeliveryStatus.SUCCEEDED: len(expected)}

    # Cluster b's first scheduler pass (about 30 s after it starts) runs the slots that fell due
    # while no cluster ran; the held delivery's lease has run out by then.
    wait_for(settled, 75, "every delivery to succeed on cluster b", interval=0.5)
    assert second.proc.poll() is None

    got = receipts(receiver)
    assert [status for _, status in got[:FAILING]] == [500] * FAILING
    ok = Counter(body["id"] for body, status in got if status == 200)
    assert set(ok) == expected  # every event arrived (and nothing else did)
    # At least once: the request cluster a was killed during (the receiver had taken it) came
    # again after its lease; another worker's send may have been cut the same way. No more.
    duplicates = sum(count - 1 for count in ok.values())
    assert ok[got[HOLD_AT][0]["id"]] == 2
    assert 1 <= duplicates <= 2, ok.most_common(3)

    # Per task, each event's first arrival (answered or not) comes in event order.
    first_seen: dict[int, list[int]] = defaultdict(list)
    seen: set[int] = set()
    for body, _ in got:
        if body["id"] not in seen:
            seen.add(body["id"])
            first_seen[body["task"]].append(body["id"])
    assert len(first_seen) == TASKS
    for task_id, ids in first_seen.items():
        assert ids == sorted(ids), f"task {task_id} got its events out of order: {ids}"

    # The refused requests were retried; nothing failed or gave up.
    assert Delivery.objects.filter(attempts__gte=2).count() >= FAILING
    assert not Delivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).exists()


def kill_and_restart(first, clusters, receiver):
    """Kill cluster a while its worker waits for an answer, then start cluster b."""
    first.kill9()
    receiver.release.set()
    with receiver.lock:
        delivered = sum(1 for r in receiver.requests if r["status"] == 200)
    # The minute slots of the dispatch and delivery schedules came while no cluster ran.
    Schedule.objects.filter(name__in=["events-dispatch", "webhooks-deliver"]).update(
        next_run=timezone.now()
    )
    return delivered, clusters("b", **CLUSTER_ENV)
