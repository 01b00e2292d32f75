import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.tasks.services import task_create
from portal.teams import services as s
from portal.teams.models import Membership, Role
from tests.factories import UserFactory


def test_only_superusers_create_and_delete_teams(superuser, lead, team):
    with pytest.raises(PermissionDenied):
        s.team_create(actor=lead, name="New", key="NEW")
    created = s.team_create(actor=superuser, name="Site Reliability", key="sre")
    assert (created.key, created.slug) == ("SRE", "site-reliability")
    with pytest.raises(PermissionDenied):
        s.team_delete(actor=lead, team=team)
    s.team_delete(actor=superuser, team=created)


def test_team_with_tasks_cannot_be_deleted(superuser, team, lead):
    task_create(actor=lead, team=team, title="t")
    with pytest.raises(ValidationError):
        s.team_delete(actor=superuser, team=team)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("superuser", True),
        ("lead", True),
        ("member", False),
        ("viewer", False),
        ("outsider", False),
    ],
)
def test_membership_management(role, allowed, people, team):
    newcomer = UserFactory()
    actor = people[role]
    if allowed:
        membership = s.membership_add(actor=actor, team=team, user=newcomer, role=Role.VIEWER)
        s.membership_change_role(actor=actor, membership=membership, role=Role.MEMBER)
        assert Membership.objects.get(pk=membership.pk).role == Role.MEMBER
        s.membership_delete(actor=actor, membership=membership)
        assert not Membership.objects.filter(pk=membership.pk).exists()
    else:
        with pytest.raises(PermissionDenied):
            s.membership_add(actor=actor, team=team, user=newcomer, role=Role.VIEWER)


def test_duplicate_membership(team, lead, member):
    with pytest.raises(ValidationError):
        s.membership_add(actor=lead, team=team, user=member)


def test_last_lead_stays(team, lead):
    membership = Membership.objects.get(user=lead, team=team)
    with pytest.raises(ValidationError) as exc:
        s.membership_change_role(actor=lead, membership=membership, role=Role.MEMBER)
    assert s.LAST_LEAD in exc.value.message_dict["role"]


def test_removed_member_is_unassigned(team, lead, member):
    task = task_create(actor=lead, team=team, title="t", assignees=[member])
    membership = Membership.objects.get(user=member, team=team)
    s.membership_delete(actor=lead, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert list(task.assignees.all()) == []
    assert task.history.first().history_user == lead


def test_removing_someone_the_actor_may_not_remove_changes_nothing(team, member, member2):
    task = task_create(actor=member, team=team, title="t", assignees=[member2])
    with pytest.raises(PermissionDenied):
        s.membership_delete(actor=member, membership=Membership.objects.get(user=member2))
    assert list(task.assignees.all()) == [member2]


def test_role_change_applies_immediately(team, lead, member):
    membership = Membership.objects.get(user=member, team=team)
    task_create(actor=member, team=team, title="before")
    s.membership_change_role(actor=lead, membership=membership, role=Role.VIEWER)
    # Roles are cached per user object, i.e. per request: the next request sees the change.
    next_request_user = type(member).objects.get(pk=member.pk)
    with pytest.raises(PermissionDenied):
        task_create(actor=next_request_user, team=team, title="after")
