"""Saved views saved at the same moment (PostgreSQL threads): one name per person and page,
one default per team and page.

SQLite serialises every write, so these races exist only on PostgreSQL; the same rules are
tested one after another on both databases in tests/savedviews/test_services.py.
"""

import pytest
from django.db import connection

from portal.savedviews.models import NAME_TAKEN, SavedView
from portal.savedviews.services import saved_view_create, saved_view_make_default
from tests.factories import MembershipFactory, UserFactory
from tests.hostile.racing import race
from tests.hostile.test_races import RACERS, outcome

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every write, so there is no race to test",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_saving_one_name_ten_times_at_once(client_for, team, member):
    clients = [client_for(member) for _ in range(RACERS)]
    names = ["Urgent", "urgent", "URGENT", " Urgent "]

    def send(i):
        payload = {"name": names[i % len(names)], "kind": "list", "team": team.pk}
        return clients[i].post("/api/views/", payload, format="json")

    results = race([lambda i=i: send(i) for i in range(RACERS)])

    assert outcome(results) == [(201, None)] + [(400, {"name": [NAME_TAKEN]})] * (RACERS - 1)
    assert SavedView.objects.filter(owner=member).count() == 1


def test_ten_leads_making_ten_views_default_at_once_leave_one(team):
    views = []
    for i in range(RACERS):
        lead = UserFactory(username=f"lead{i}")
        MembershipFactory(user=lead, team=team, role="lead")
        views.append(
            saved_view_create(actor=lead, team=team, kind="board", name=f"V{i}", shared=True)
        )

    results = race([lambda v=v: saved_view_make_default(actor=v.owner, view=v) for v in views])

    assert all(isinstance(r, SavedView) for r in results), results
    assert SavedView.objects.filter(team=team, kind="board", is_default=True).count() == 1
