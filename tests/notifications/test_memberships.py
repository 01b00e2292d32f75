"""Leaving a team ends watching its tasks: through the teams' service, whichever door."""

import pytest

from portal.notifications.models import Watch
from portal.tasks import services as ts
from portal.teams import services as team_services
from portal.teams.models import Membership, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_removing_someone_deletes_their_watches_of_that_teams_tasks(
    team, other_team, lead, member, member2, outsider
):
    mine = ts.task_create(actor=lead, team=team, title="Fix the printer")
    MembershipFactory(user=member, team=other_team, role=Role.MEMBER)
    elsewhere = ts.task_create(actor=outsider, team=other_team, title="Paint the door")
    for task, person in [(mine, member), (mine, member2), (elsewhere, member)]:
        Watch.objects.create(task=task, user=person)

    membership = Membership.objects.get(team=team, user=member)
    team_services.membership_delete(actor=lead, membership=membership)

    assert set(Watch.objects.values_list("task_id", "user_id")) == {
        (mine.pk, member2.pk),  # someone else's
        (elsewhere.pk, member.pk),  # another team's
    }


def test_becoming_a_viewer_keeps_watching(team, lead, member):
    task = ts.task_create(actor=lead, team=team, title="Fix the printer")
    Watch.objects.create(task=task, user=member)
    membership = Membership.objects.get(team=team, user=member)
    team_services.membership_change_role(actor=lead, membership=membership, role=Role.VIEWER)
    assert Watch.objects.filter(user=member).exists()  # viewers still see the task


def test_an_administrator_who_leaves_still_sees_and_keeps_watching(team, lead, superuser):
    task = ts.task_create(actor=lead, team=team, title="Fix the printer")
    membership = team_services.membership_add(actor=lead, team=team, user=superuser)
    Watch.objects.create(task=task, user=superuser)
    team_services.membership_delete(actor=lead, membership=membership)
    assert Watch.objects.filter(user=superuser).exists()
