"""A committed write starts one dispatch of the outbox; the schedule is the backstop."""

import uuid

import pytest
from django.core.cache import cache, caches
from django.db import transaction

from portal.events.models import Event
from portal.jobs import outbox
from portal.jobs.outbox import QUEUED_KEY, dispatch_events
from portal.jobs.schedules import EVENTS_DISPATCH, specs
from portal.tasks import services as ts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_waiting_dispatch(monkeypatch):
    """A waiting-dispatch key of this test's own: any other process on this Redis database (a
    cluster another test started) may clear the common key when its scheduled dispatch runs,
    between two writes of a test here, which is not what these tests look at."""
    monkeypatch.setattr(outbox, "QUEUED_KEY", f"{QUEUED_KEY}:{uuid.uuid4().hex}")
    yield
    cache.delete(outbox.QUEUED_KEY)


def _shared_cache() -> bool:
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches["default"], LocMemCache)


def test_a_burst_of_writes_queues_one_dispatch(
    team, lead, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ts.task_create(actor=lead, team=team, title="One")
    with django_capture_on_commit_callbacks(execute=True):
        ts.task_create(actor=lead, team=team, title="Two")
    # A shared cache (Redis) folds the burst into one message; the embedded local-memory cache,
    # which the worker could not clear, lets every commit send its own.
    sent = 1 if _shared_cache() else 2
    assert queue.queue_size() == sent
    assert dispatch_events() == 2
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    # The dispatch cleared the key: the next write queues another.
    with django_capture_on_commit_callbacks(execute=True):
        ts.task_create(actor=lead, team=team, title="Three")
    assert queue.queue_size() == sent + 1


def test_only_a_shared_cache_holds_back_a_second_nudge(settings):
    from portal.core.cache import first_in_window

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caches["default"].clear()
    assert first_in_window("k", 30) and first_in_window("k", 30)


def test_a_rolled_back_write_queues_nothing(team, lead, queue, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ts.task_create(actor=lead, team=team, title="Rolled back")
        raise RuntimeError
    assert callbacks == [] and queue.queue_size() == 0 and not Event.objects.exists()


def test_the_schedule_dispatches_every_minute():
    spec = next(s for s in specs() if s.name == "events-dispatch")
    assert (spec.func, spec.minutes, spec.kind) == (EVENTS_DISPATCH, 1, None)
