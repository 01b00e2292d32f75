"""The read replica's rule, router and read-your-writes pin, without a replica server.

(tests/deploy/test_replica.py runs the same code against a real streaming replica.)
"""

import time

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from portal.core.replica import (
    PIN_COOKIE,
    REPLICA,
    ReplicaPinMiddleware,
    ReplicaRouter,
    on_replica,
    read_alias,
    replica_reads,
)
from portal.tasks.models import Task
from tests.settings.conftest import clean_env, load_settings

POSTGRES = "postgres://portal:secret@db.invalid:5432/portal"
REPLICA_URL = "postgres://portal:secret@replica.invalid:5432/portal"


@pytest.fixture
def with_replica(settings, monkeypatch):
    """A `replica` alias in the settings the rule reads (it is never connected to here)."""
    monkeypatch.setitem(settings.DATABASES, REPLICA, {**settings.DATABASES["default"]})
    settings.DATABASE_REPLICA_PIN_SECONDS = 10


def test_without_the_variable_there_is_one_database_and_no_router():
    found = load_settings(
        "DATABASES", "DATABASE_ROUTERS", env=clean_env(DATABASE_URL=POSTGRES, DB_CONN_MAX_AGE="30")
    )
    assert list(found["DATABASES"]) == ["default"]
    assert found["DATABASE_ROUTERS"] is None  # not set: Django's default, no router


def test_the_replica_is_the_primarys_mirror_in_tests():
    found = load_settings(
        "DATABASES",
        "DATABASE_ROUTERS",
        env=clean_env(
            DATABASE_URL=POSTGRES, DATABASE_REPLICA_URL=REPLICA_URL, DB_CONN_MAX_AGE="30"
        ),
    )
    replica = found["DATABASES"]["replica"]
    assert replica["HOST"] == "replica.invalid" and replica["CONN_MAX_AGE"] == 30
    assert replica["TEST"] == {"MIRROR": "default"}  # no test database of its own
    assert found["DATABASE_ROUTERS"] == ["portal.core.replica.ReplicaRouter"]


def test_no_replica_means_the_primary():
    assert read_alias() == "default"
    assert on_replica(Task.objects.all()).db == "default"
    with replica_reads():
        assert ReplicaRouter().db_for_read(Task) == "default"


def test_only_reads_inside_the_scope_are_routed(with_replica):
    router = ReplicaRouter()
    assert router.db_for_read(Task) is None  # Django's own choice: the primary
    with replica_reads():
        assert router.db_for_read(Task) == REPLICA
        assert router.db_for_write(Task) == "default"
    assert on_replica(Task.objects.all()).db == REPLICA


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "tasks") is True
    assert router.allow_migrate(REPLICA, "tasks") is False


@pytest.mark.django_db(transaction=True)
def test_a_transaction_on_the_primary_reads_there(with_replica):
    assert read_alias() == REPLICA
    with transaction.atomic():
        assert read_alias() == "default"


def _answer(request, view):
    return ReplicaPinMiddleware(view)(request)


def _writes(request):
    ReplicaRouter().db_for_write(Task)
    request.seen = read_alias()  # later reads of the same request
    return HttpResponse()


def _reads(request):
    request.seen = read_alias()
    return HttpResponse()


def test_a_request_that_wrote_pins_its_person_to_the_primary(with_replica):
    request = RequestFactory().post("/teams/ops/tasks/new/")
    response = _answer(request, _writes)
    assert request.seen == "default"
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == 10 and pin["httponly"] and pin["samesite"] == "Lax"
    assert time.time() < float(pin.value) <= time.time() + 10.001  # written to the millisecond

    # Their next page reads the primary; someone else's reads the replica.
    follow = RequestFactory().get("/teams/ops/reports/")
    follow.COOKIES[PIN_COOKIE] = pin.value
    _answer(follow, _reads)
    assert follow.seen == "default"
    other = RequestFactory().get("/teams/ops/reports/")
    assert PIN_COOKIE not in _answer(other, _reads).cookies
    assert other.seen == REPLICA


@pytest.mark.parametrize(
    "value", [lambda: time.time() - 1, lambda: time.time() + 3600, lambda: "soon"]
)
def test_an_old_or_unlikely_pin_is_not_honoured(with_replica, value):
    request = RequestFactory().get("/teams/ops/reports/")
    request.COOKIES[PIN_COOKIE] = str(value())
    _answer(request, _reads)
    assert request.seen == REPLICA


def test_a_request_that_only_read_pins_nobody_even_by_post(with_replica):
    request = RequestFactory().post("/admin/tasks/task/export/")
    assert PIN_COOKIE not in _answer(request, _reads).cookies


def test_without_a_replica_the_middleware_sets_nothing():
    request = RequestFactory().post("/teams/ops/tasks/new/")
    assert PIN_COOKIE not in _answer(request, _writes).cookies
