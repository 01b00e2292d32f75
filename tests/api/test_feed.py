"""The calendar feed in the API: addresses, renewing, turning off; the addresses work."""

import pytest
from icalendar import Calendar

from portal.accounts.models import FeedToken

pytestmark = pytest.mark.django_db
FEED = "/api/feed/"


def test_no_feed_until_asked_then_addresses_that_work(client_for, client, member, team, other_team):
    api = client_for(member)
    answer = api.get(FEED)
    assert answer.status_code == 200
    assert answer.json() == {"enabled": False, "mine": None, "teams": []}
    made = api.post(FEED)
    assert made.status_code == 201
    body = made.json()
    assert body["enabled"] is True
    assert body["mine"].startswith("http") and body["mine"].endswith("/my.ics")
    # One team feed per team the person is in, never another team's.
    assert [t["id"] for t in body["teams"]] == [team.pk]
    assert api.get(FEED).json() == body
    response = client.get(body["mine"])
    assert response.status_code == 200
    Calendar.from_ical(response.content)
    assert client.get(body["teams"][0]["url"]).status_code == 200


def test_renewing_changes_the_addresses_and_deleting_turns_the_feed_off(client_for, client, member):
    api = client_for(member)
    first = api.post(FEED).json()["mine"]
    second = api.post(FEED).json()["mine"]
    assert first != second
    assert client.get(first).status_code == 404
    assert api.delete(FEED).status_code == 204
    assert not FeedToken.objects.filter(user=member).exists()
    assert client.get(second).status_code == 404
    assert api.get(FEED).json()["enabled"] is False
    # Turning off a feed that is off is not an error.
    assert api.delete(FEED).status_code == 204


def test_only_signed_in_people(anon):
    assert anon.get(FEED).status_code == 401
    assert anon.post(FEED).status_code == 401


def test_the_schema_documents_the_feed(client_for, member):
    schema = client_for(member).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"get", "post", "delete"} <= set(schema["paths"]["/api/feed/"])
