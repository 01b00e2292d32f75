"""The team sheet: members as username:role pairs, written through the team services."""

import pytest

from portal.teams.models import Membership, Team
from portal.teams.permissions import DENIED_MANAGE_TEAM, DENIED_SUPERUSER
from portal.teams.resources import (
    MEMBER_REMOVAL,
    PERSON_UNKNOWN,
    TeamResource,
    teams_for_sheet,
)
from portal.teams.services import LAST_LEAD
from tests.factories import UserFactory
from tests.sheets import import_rows, problems

HEAD = ["key", "members"]
ALL = "lead:lead, member:member, member2:member, viewer:viewer"


def test_members_are_username_role_pairs(sheet_world, lead):
    rows = list(TeamResource().rows(teams_for_sheet(lead)))
    assert rows == [["OPS", "Operations", "operations", "", ALL]]


def test_lead_adds_a_person_and_changes_a_role(sheet_world, lead):
    newcomer = UserFactory(username="newcomer")
    rows = [HEAD, ["OPS", ALL.replace("viewer:viewer", "viewer:member") + ", NewComer"]]
    result = import_rows(TeamResource(), lead, rows)
    assert problems(result) == [] and result.counts()["updated"] == 1
    roles = dict(Membership.objects.filter(team__key="OPS").values_list("user__username", "role"))
    assert (roles["viewer"], roles["newcomer"]) == ("member", "member")
    record = Membership.history.filter(user=newcomer).get()
    assert record.history_user == lead


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ("lead:lead, member:member", MEMBER_REMOVAL.format(names="member2, viewer")),
        (ALL + ", ghost", PERSON_UNKNOWN.format(names="ghost")),
        (ALL.replace("lead:lead", "lead:member"), LAST_LEAD),
        (ALL.replace("viewer:viewer", "viewer:boss"), None),
    ],
)
def test_member_errors(sheet_world, lead, members, message):
    result = import_rows(TeamResource(), lead, [HEAD, ["OPS", members]])
    assert len(result.problems) == 1
    if message:
        assert result.problems[0].message == message
    assert Membership.objects.filter(team__key="OPS").count() == 4


@pytest.mark.parametrize(
    ("role", "message"), [("member", DENIED_MANAGE_TEAM), ("viewer", DENIED_MANAGE_TEAM)]
)
def test_only_leads_change_their_team(sheet_world, people, role, message):
    result = import_rows(TeamResource(), people[role], [["key", "name"], ["OPS", "Ops!"]])
    assert problems(result) == [(2, "key", message)]
    assert Team.objects.get(key="OPS").name == "Operations"


def test_only_administrators_add_teams(sheet_world, lead, superuser):
    rows = [["key", "name", "slug", "members"], ["NEW", "New team", "new-team", "lead:lead"]]
    assert problems(import_rows(TeamResource(), lead, rows)) == [(2, "key", DENIED_SUPERUSER)]
    result = import_rows(TeamResource(), superuser, rows)
    assert result.counts()["new"] == 1
    assert Membership.objects.get(team__key="NEW").role == "lead"
