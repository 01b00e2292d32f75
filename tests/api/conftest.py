import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from portal.tasks.services import task_create


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


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
