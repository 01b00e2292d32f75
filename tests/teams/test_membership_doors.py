"""One membership rule at every door: a person made viewer, or removed, is taken off the tasks.

Each door changes a membership its own way (the service, the API, the admin's inline rows, the
team sheet through `manage.py import`); the table of changes below goes through every one of
them, and the assignees afterwards must be the same.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from portal.tasks.services import task_create
from portal.teams import services
from portal.teams.models import Membership, Role
from tests.sheets import make_csv
from tests.teams.test_admin import current_rows, members_post

pytestmark = pytest.mark.django_db


def _service(lead, team, person, role):
    membership = Membership.objects.get(team=team, user=person)
    if role is None:
        services.membership_delete(actor=lead, membership=membership)
    else:
        services.membership_change_role(actor=lead, membership=membership, role=role)


def _api(lead, team, person, role):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(lead).access_token}")
    url = f"/api/teams/{team.pk}/members/{person.pk}/"
    if role is None:
        response = client.delete(url)
    else:
        response = client.patch(url, {"role": role}, format="json")
    assert response.status_code in (200, 204), response.content


def _admin(lead, team, person, role):
    from django.test import Client

    client = Client()
    client.force_login(lead)
    rows = current_rows(team)
    for row in rows:
        if row["user"] == person.pk:
            if role is None:
                row["DELETE"] = "on"
            else:
                row["role"] = role
    response = client.post(
        reverse("admin:teams_team_change", args=[team.pk]), members_post(team, rows)
    )
    assert response.status_code == 302, response.context and response.context["errors"]


def _sheet(lead, team, person, role, tmp_path):
    members = {m.user.username: m.role for m in team.memberships.select_related("user")}
    members[person.username] = role
    cell = ", ".join(f"{name}:{r}" for name, r in members.items())
    source = tmp_path / "teams.csv"
    source.write_bytes(make_csv([["key", "members"], [team.key, cell]]))
    call_command("import", "teams", str(source), f"--user={lead.username}", stdout=io.StringIO())


DOORS = {
    "service": _service,
    "api": _api,
    "admin": _admin,
    "sheet": _sheet,
}
# (new role, or None for removal; whether they stay assigned). The team sheet cannot remove
# anyone (it says so), so removal goes through the other doors.
CHANGES = [
    (Role.VIEWER, False),
    (Role.LEAD, True),
    (None, False),
]


CASES = [
    (door, role, stays)
    for door in DOORS
    for role, stays in CHANGES
    if not (door == "sheet" and role is None)
]


@pytest.mark.parametrize(("door", "role", "stays"), CASES)
def test_a_membership_change_keeps_the_assignees_rule_at_every_door(
    door, role, stays, team, lead, member, member2, tmp_path
):
    task = task_create(actor=lead, team=team, title="Shared", assignees=[member, member2])
    change = DOORS[door]

    if door == "sheet":
        change(lead, team, member, role, tmp_path)
    else:
        change(lead, team, member, role)

    expected = {member, member2} if stays else {member2}
    assert set(task.assignees.all()) == expected
    membership = Membership.objects.filter(team=team, user=member).first()
    assert (membership.role if membership else None) == role
    if not stays:
        record = task.history.order_by("-history_id").first()
        assert record.history_user == lead
