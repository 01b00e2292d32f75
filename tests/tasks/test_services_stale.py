"""A change that starts from what a door read earlier: the row may have changed or gone since.

The threads of tests/hostile/test_concurrency.py produce these moments at random on PostgreSQL;
here each one is made on purpose, in order, so that both databases check the same rules: an
update of a deleted row answers RowGone (404 at every door) and writes nothing, rules are
judged on what is stored, and nothing another request added is lost.
"""

import pytest
from django.core.exceptions import ValidationError

from portal.accounts.models import User
from portal.core.concurrency import ROW_GONE, RowGone
from portal.tasks import services as task_services
from portal.tasks.models import Comment, Tag, Task
from portal.teams import services as team_services
from portal.teams.models import Membership, Role, Team
from portal.teams.permissions import roles_for
from portal.teams.services import LAST_LEAD
from tests.factories import MembershipFactory, TagFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _gone(model) -> str:
    return ROW_GONE.format(thing=model._meta.verbose_name)


def test_a_deleted_membership_is_not_brought_back_by_a_role_change(team, lead, member):
    stale = Membership.objects.get(team=team, user=member)
    fresh = Membership.objects.get(pk=stale.pk)
    team_services.membership_delete(actor=lead, membership=fresh)

    with pytest.raises(RowGone, match=_gone(Membership)):
        team_services.membership_change_role(actor=lead, membership=stale, role=Role.VIEWER)

    assert not Membership.objects.filter(pk=stale.pk).exists()
    with pytest.raises(RowGone):
        team_services.membership_delete(actor=lead, membership=stale)


def test_the_last_lead_is_judged_on_the_stored_roles(team):
    ava, olivia = UserFactory(username="ava"), UserFactory(username="olivia")
    ava_m = MembershipFactory(user=ava, team=team, role=Role.LEAD)
    olivia_m = MembershipFactory(user=olivia, team=team, role=Role.LEAD)
    # Both requests read their roles and the other's membership; olivia's change lands first.
    ava_request = User.objects.get(pk=ava.pk)
    assert roles_for(ava_request) == {team.pk: Role.LEAD}
    stale_for_ava = Membership.objects.get(pk=olivia_m.pk)
    team_services.membership_change_role(actor=olivia, membership=ava_m, role=Role.MEMBER)

    with pytest.raises(ValidationError) as refused:
        team_services.membership_change_role(
            actor=ava_request, membership=stale_for_ava, role=Role.MEMBER
        )

    assert refused.value.message_dict == {"role": [LAST_LEAD]}
    assert list(Membership.objects.filter(team=team, role=Role.LEAD)) == [olivia_m]


def test_a_deleted_task_is_not_brought_back_by_an_update(team, lead):
    task = task_services.task_create(actor=lead, team=team, title="Doomed")
    stale = Task.objects.get(pk=task.pk)
    task_services.task_delete(actor=lead, task=task)
    before = Task.history.count()

    with pytest.raises(RowGone, match=_gone(Task)):
        task_services.task_update(actor=lead, task=stale, title="Saved?")
    with pytest.raises(RowGone):
        task_services.task_add_assignees(actor=lead, task=stale, assignees=[lead])
    with pytest.raises(RowGone):
        task_services.task_delete(actor=lead, task=stale)
    with pytest.raises(RowGone):
        task_services.comment_add(actor=lead, task=stale, body="Late")

    assert not Task.objects.filter(pk=task.pk).exists()
    assert Task.history.count() == before


def test_an_update_keeps_what_another_change_stored_meanwhile(team, lead, member):
    task = task_services.task_create(actor=lead, team=team, title="Shared")
    stale = Task.objects.prefetch_related("assignees", "tags").get(pk=task.pk)
    task_services.task_update(actor=member, task=task, priority="urgent", assignees=[member])

    task_services.task_add_assignees(actor=lead, task=stale, assignees=[lead])
    task_services.task_update(actor=lead, task=stale, status="in_progress")

    task.refresh_from_db()
    assert (task.priority, task.status) == ("urgent", "in_progress")
    assert set(task.assignees.all()) == {member, lead}
    # Taking it twice from an old copy adds nothing and records nothing.
    records = task.history.count()
    task_services.task_add_assignees(actor=lead, task=stale, assignees=[lead])
    assert task.history.count() == records


def test_a_deleted_comment_is_not_brought_back_by_an_edit(team, lead):
    task = task_services.task_create(actor=lead, team=team, title="Discussed")
    comment = task_services.comment_add(actor=lead, task=task, body="First")
    stale = Comment.objects.get(pk=comment.pk)
    task_services.comment_delete(actor=lead, comment=comment)

    with pytest.raises(RowGone, match=_gone(Comment)):
        task_services.comment_update(actor=lead, comment=stale, body="Edited")
    with pytest.raises(RowGone):
        task_services.comment_delete(actor=lead, comment=stale)

    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_a_deleted_tag_or_team_is_not_brought_back(superuser):
    tag = TagFactory(name="short-lived")
    stale_tag = Tag.objects.get(pk=tag.pk)
    task_services.tag_delete(actor=superuser, tag=tag)
    with pytest.raises(RowGone):
        task_services.tag_update(actor=superuser, tag=stale_tag, name="back")
    assert not Tag.objects.filter(pk=tag.pk).exists()

    team = TeamFactory(name="Gone", slug="gone", key="GON")
    stale_team = Team.objects.get(pk=team.pk)
    team_services.team_delete(actor=superuser, team=team)
    with pytest.raises(RowGone):
        team_services.team_update(actor=superuser, team=stale_team, name="Back")
    assert not Team.objects.filter(pk=team.pk).exists()


def test_a_person_removed_from_the_team_is_taken_off_tasks_assigned_from_an_old_copy(
    team, lead, member
):
    task = task_services.task_create(actor=lead, team=team, title="Assigned")
    stale = Task.objects.get(pk=task.pk)
    team_services.membership_delete(
        actor=lead, membership=Membership.objects.get(team=team, user=member)
    )

    with pytest.raises(ValidationError) as refused:
        task_services.task_add_assignees(actor=lead, task=stale, assignees=[member])

    assert "assignees" in refused.value.message_dict
    assert not task.assignees.exists()


def test_removing_a_member_moves_the_updated_time_of_their_tasks(team, lead, member):
    task = task_services.task_create(actor=lead, team=team, title="Mine", assignees=[member])
    before = Task.objects.get(pk=task.pk).updated_at

    team_services.membership_delete(
        actor=lead, membership=Membership.objects.get(team=team, user=member)
    )

    stored = Task.objects.get(pk=task.pk)
    assert stored.updated_at > before
    assert not stored.assignees.exists()
    assert task.history.first().history_type == "~"


def test_an_import_of_a_task_deleted_after_it_was_read_writes_nothing(team, lead):
    task = task_services.task_create(actor=lead, team=team, title="Listed")
    stale = Task.objects.prefetch_related("assignees", "tags").get(pk=task.pk)
    other = task_services.task_create(actor=lead, team=team, title="Other")
    task_services.task_delete(actor=lead, task=task)

    outcome = task_services.tasks_write_bulk(
        actor=lead,
        rows=[
            task_services.TaskWrite(team=team, fields={"title": "Changed"}, task=stale),
            task_services.TaskWrite(team=team, fields={"title": "Also changed"}, task=other),
        ],
    )

    assert outcome.errors == {0: {task_services.ROW_RULE: [_gone(Task)]}}
    assert not Task.objects.filter(pk=task.pk).exists()
    other.refresh_from_db()
    assert other.title == "Other"
