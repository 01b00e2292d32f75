import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken

from portal.tasks.services import task_create


@pytest.fixture(autouse=True)
def _fresh_rate_counters(monkeypatch):
    """Each test counts requests from zero, in a store of its own.

    Throttle counters normally live in the default cache (Redis when REDIS_URL is set);
    clearing that between tests would also wipe other keys in a shared Redis database.
    """
    store = LocMemCache(f"throttle-{uuid.uuid4()}", {})
    monkeypatch.setattr(SimpleRateThrottle, "cache", store)
    yield
    store.clear()


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client carrying a real access token for `user` (Authorization: Bearer ...)."""

    def make(user):
        client = APIClient()
        access = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client

    return make


@pytest.fixture
def task(team, lead, member):
    return task_create(actor=lead, team=team, title="Fix the printer", assignees=[member])


@pytest.fixture
def other_task(other_team, outsider):
    return task_create(actor=outsider, team=other_team, title="Secret design work")
