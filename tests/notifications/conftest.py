import pytest

from portal.events.services import events_dispatch
from portal.notifications.models import Notification


@pytest.fixture
def dispatch():
    """Run the outbox's dispatcher as the background job does after a write commits."""
    return events_dispatch


def told(kind=None):
    """{username: kind} of every notification (one per person and event in these tests)."""
    rows = Notification.objects.select_related("user")
    if kind:
        rows = rows.filter(kind=kind)
    return {n.user.username: n.kind for n in rows}


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make
