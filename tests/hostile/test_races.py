"""Requests racing for one unique value: the winner gets 201, every other one a 400 (PostgreSQL).

SQLite serialises every write, so these races exist only on PostgreSQL; the same code path
(a unique rule lost on save) is tested on both databases in tests/core/test_models.py.
"""

import pytest
from django.db import connection
from django.test import override_settings

from portal.tasks.models import TAG_TAKEN, Tag
from portal.teams.models import ALREADY_MEMBER, Membership
from tests.factories import UserFactory
from tests.hostile.racing import race as run_together

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every write, so there is no race to test",
    ),
    pytest.mark.django_db(transaction=True),
]
RACERS = 10


def race(send) -> list:
    """Call `send(i)` from RACERS threads at once; returns the responses (or exceptions)."""
    return run_together([lambda i=i: send(i) for i in range(RACERS)])


def outcome(results) -> list:
    return sorted(
        (r.status_code, r.json() if r.status_code == 400 else None)
        if hasattr(r, "status_code")
        else (type(r).__name__, str(r))
        for r in results
    )


def test_adding_one_member_ten_times_at_once(client_for, team, lead):
    newcomer = UserFactory(username="newcomer")
    clients = [client_for(lead) for _ in range(RACERS)]
    url = f"/api/teams/{team.pk}/members/"

    results = race(lambda i: clients[i].post(url, {"user_id": newcomer.pk}, format="json"))

    refused = (400, {"non_field_errors": [ALREADY_MEMBER]})
    assert outcome(results) == [(201, None)] + [refused] * (RACERS - 1)
    assert Membership.objects.filter(team=team, user=newcomer).count() == 1


def test_creating_one_tag_ten_times_at_once(client_for, member):
    clients = [client_for(member) for _ in range(RACERS)]
    names = ["release", "Release", "RELEASE", "ReLease", "release "]

    results = race(
        lambda i: clients[i].post("/api/tags/", {"name": names[i % len(names)]}, format="json")
    )

    assert outcome(results) == [(201, None)] + [(400, {"name": [TAG_TAKEN]})] * (RACERS - 1)
    assert Tag.objects.filter(name__iexact="release").count() == 1


def test_creating_one_team_ten_times_at_once(client_for, superuser):
    clients = [client_for(superuser) for _ in range(RACERS)]
    payload = {"name": "Data", "key": "DAT"}

    results = race(lambda i: clients[i].post("/api/teams/", payload, format="json"))

    statuses = [r.status_code for r in results if hasattr(r, "status_code")]
    assert sorted(statuses) == [201] + [400] * (RACERS - 1), outcome(results)
    for response in results:
        if response.status_code == 400:
            assert set(response.json()) <= {"name", "slug", "key"}


@override_settings(ACCOUNT_ALLOW_SIGNUP=True)  # closed by default; this is about sign-up
def test_registering_one_username_ten_times_at_once(anon, db):
    from portal.accounts.models import User

    clients = [type(anon)() for _ in range(RACERS)]

    def register(i):
        return clients[i].post(
            "/api/auth/registration/",
            {
                "username": "racer",
                "email": f"racer{i}@example.com",
                "password1": "Race-pass-2026!",
                "password2": "Race-pass-2026!",
            },
            format="json",
        )

    results = race(register)

    statuses = [r.status_code for r in results if hasattr(r, "status_code")]
    assert sorted(statuses) == [201] + [400] * (RACERS - 1), outcome(results)
    assert {tuple(r.json()) for r in results if r.status_code == 400} == {("username",)}
    assert User.objects.filter(username__iexact="racer").count() == 1
