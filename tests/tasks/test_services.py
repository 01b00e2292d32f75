"""The role x action matrix, status/archive bookkeeping and history with the actor."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.history import changes_between
from portal.tasks import permissions as task_perms
from portal.tasks import services as s
from portal.tasks.models import Comment, Status, Task
from portal.tasks.selectors import task_history
from tests.factories import TagFactory


@pytest.fixture
def task(team, member, lead, member2):
    return s.task_create(actor=member, team=team, title="Fix the build")


# role -> expected outcome for each action on a task of the team created by `member`
MATRIX = {
    "create": {"superuser": 1, "lead": 1, "member": 1, "member2": 1, "viewer": 0, "outsider": 0},
    "update": {"superuser": 1, "lead": 1, "member": 1, "member2": 1, "viewer": 0, "outsider": 0},
    "comment": {"superuser": 1, "lead": 1, "member": 1, "member2": 1, "viewer": 0, "outsider": 0},
    "archive": {"superuser": 1, "lead": 1, "member": 1, "member2": 0, "viewer": 0, "outsider": 0},
    "delete": {"superuser": 1, "lead": 1, "member": 0, "member2": 0, "viewer": 0, "outsider": 0},
}


def run(action, actor, team, task):
    if action == "create":
        return s.task_create(actor=actor, team=team, title="new")
    if action == "update":
        return s.task_update(actor=actor, task=task, status=Status.IN_PROGRESS)
    if action == "comment":
        return s.comment_add(actor=actor, task=task, body="hi")
    if action == "archive":
        return s.task_archive(actor=actor, task=task)
    if action == "delete":
        return s.task_delete(actor=actor, task=task)
    raise AssertionError(action)


@pytest.mark.parametrize(("action", "role"), [(a, r) for a, roles in MATRIX.items() for r in roles])
def test_role_matrix(action, role, people, team, task):
    actor = people[role]
    if MATRIX[action][role]:
        run(action, actor, team, task)
    else:
        with pytest.raises(PermissionDenied):
            run(action, actor, team, task)
        # nothing changed
        task.refresh_from_db()
        assert task.status == Status.TODO and not task.is_archived
        assert task.comments.count() == 0


def test_numbers_per_team(team, other_team, member, superuser):
    a = s.task_create(actor=member, team=team, title="a")
    b = s.task_create(actor=member, team=team, title="b")
    c = s.task_create(actor=superuser, team=other_team, title="c")
    assert (a.key, b.key, c.key) == ("OPS-1", "OPS-2", "DES-1")


def test_completed_at_follows_done(task, member):
    s.task_update(actor=member, task=task, status=Status.DONE)
    assert task.completed_at is not None
    s.task_update(actor=member, task=task, status=Status.BLOCKED)
    assert task.completed_at is None


def test_archive_and_unarchive(task, member):
    s.task_archive(actor=member, task=task)
    task.refresh_from_db()
    assert task.is_archived and task.archived_at
    s.task_unarchive(actor=member, task=task)
    task.refresh_from_db()
    assert not task.is_archived and task.archived_at is None


def test_cannot_move_team(task, member, other_team):
    with pytest.raises(ValidationError) as exc:
        s.task_update(actor=member, task=task, team=other_team)
    assert s.TASK_MOVE_TEAM in exc.value.message_dict["team"]


def test_unknown_field_is_a_programming_error(task, member):
    with pytest.raises(TypeError):
        s.task_update(actor=member, task=task, colour="red")


def test_history_records_actor_and_old_new_values(task, member, lead, member2):
    tag = TagFactory(name="ci")
    s.task_update(actor=lead, task=task, status=Status.BLOCKED, title="Fix the CI build")
    s.task_assign(actor=member2, task=task, assignees=[member, member2])
    s.task_add_tags(actor=member, task=task, tags=[tag])

    records = list(task_history(task))
    assert [(r.history_type, r.history_user) for r in records] == [
        ("~", member),
        ("~", member2),
        ("~", lead),
        ("+", member),
    ]
    status_change = {c["field"]: c for c in changes_between(records[2], records[3])}
    assert status_change["status"]["old"] == Status.TODO
    assert status_change["status"]["new"] == Status.BLOCKED
    assert status_change["title"]["new"] == "Fix the CI build"
    assign_change = {c["field"]: c for c in changes_between(records[1], records[2])}
    assert {row["user"] for row in assign_change["assignees"]["new"]} == {member.pk, member2.pk}
    assert assign_change["assignees"]["old"] == []


def test_no_change_no_history(task, member):
    s.task_update(actor=member, task=task, title=task.title)
    assert task.history.count() == 1


def test_comment_history_and_rules(task, member, member2, lead):
    comment = s.comment_add(actor=member, task=task, body="  first  ")
    assert comment.body == "first"
    with pytest.raises(ValidationError):
        s.comment_add(actor=member, task=task, body="   ")
    with pytest.raises(PermissionDenied):
        s.comment_update(actor=member2, comment=comment, body="hijack")
    with pytest.raises(PermissionDenied, match=task_perms.DENIED_EDIT_COMMENT):
        s.comment_update(actor=lead, comment=comment, body="a lead never rewrites it")
    s.comment_update(actor=member, comment=comment, body="edited by its author")
    assert comment.history.first().history_user == member
    with pytest.raises(PermissionDenied, match=task_perms.DENIED_DELETE_COMMENT):
        s.comment_delete(actor=member2, comment=comment)
    pk = comment.pk
    s.comment_delete(actor=lead, comment=comment)
    deleted = Comment.history.filter(id=pk).first()
    assert deleted.history_type == "-" and deleted.history_user == lead


def test_bulk_apply_reports_refusals(team, member, member2, viewer):
    mine = s.task_create(actor=member, team=team, title="mine")
    theirs = s.task_create(actor=member2, team=team, title="theirs")
    result = s.tasks_bulk_apply(actor=member, tasks=[mine, theirs], operation=s.task_archive)
    assert result.changed == [mine]
    assert result.refused == [(theirs, task_perms.DENIED_ARCHIVE_TASK)]
    assert Task.objects.get(pk=theirs.pk).is_archived is False


def test_bulk_create(team, member, member2):
    tag = TagFactory()
    created = s.tasks_create_bulk(
        actor=member,
        team=team,
        rows=[
            {"title": "one", "assignees": [member2], "tags": [tag]},
            {"title": "two", "status": Status.DONE},
        ],
    )
    assert [t.key for t in created] == ["OPS-1", "OPS-2"]
    assert list(created[0].assignees.all()) == [member2]
    assert created[1].completed_at is not None
    assert created[0].history.get().history_user == member
    assert s.task_create(actor=member, team=team, title="three").key == "OPS-3"


def test_bulk_create_all_or_nothing(team, member):
    with pytest.raises(ValidationError) as exc:
        s.tasks_create_bulk(
            actor=member, team=team, rows=[{"title": "fine"}, {"title": "", "status": "nope"}]
        )
    assert "row 2" in exc.value.message_dict
    assert Task.objects.count() == 0


def test_task_add_assignees_keeps_current_and_records_only_real_changes(team, member, member2):
    task = s.task_create(actor=member, team=team, title="t", assignees=[member])
    s.task_add_assignees(actor=member, task=task, assignees=[member2])
    assert set(task.assignees.all()) == {member, member2}
    records = task.history.count()
    s.task_add_assignees(actor=member, task=task, assignees=[member2])
    assert task.history.count() == records  # nothing changed, nothing recorded


# --- assignees are leads and members ---------------------------------------------------------
def test_viewers_cannot_be_assigned_at_any_write(team, member, viewer):
    expected = {"assignees": [s.ASSIGNEE_VIEWER.format(names="viewer", team="OPS")]}
    with pytest.raises(ValidationError) as exc:
        s.task_create(actor=member, team=team, title="t", assignees=[viewer])
    assert exc.value.message_dict == expected
    task = s.task_create(actor=member, team=team, title="t")
    with pytest.raises(ValidationError) as exc:
        s.task_add_assignees(actor=member, task=task, assignees=[viewer])
    assert exc.value.message_dict == expected
    with pytest.raises(ValidationError) as exc:
        s.tasks_create_bulk(actor=member, team=team, rows=[{"title": "b", "assignees": [viewer]}])
    assert "row 1" in exc.value.message_dict
    assert list(task.assignees.all()) == []


def test_a_member_made_viewer_is_taken_off_the_teams_tasks(team, lead, member):
    from portal.teams import services as team_services
    from portal.teams.models import Membership

    task = s.task_create(actor=lead, team=team, title="t", assignees=[member])
    membership = Membership.objects.get(team=team, user=member)
    team_services.membership_change_role(actor=lead, membership=membership, role="viewer")
    assert list(task.assignees.all()) == []
    assert task.history.first().history_user == lead
    # A change between leads and members keeps the assignments.
    other = s.task_create(actor=lead, team=team, title="u", assignees=[lead])
    team_services.membership_change_role(actor=lead, membership=membership, role="member")
    lead_row = Membership.objects.get(team=team, user=lead)
    team_services.membership_change_role(actor=lead, membership=membership, role="lead")
    team_services.membership_change_role(actor=member, membership=lead_row, role="member")
    assert list(other.assignees.all()) == [lead]


def test_a_value_stored_before_a_rule_does_not_block_changing_other_fields(team, lead):
    """Titles with line breaks were accepted once; such a task can still be moved on."""
    task = s.task_create(actor=lead, team=team, title="Renew")
    Task.objects.filter(pk=task.pk).update(title="Renew\nTLS")

    s.task_update(actor=lead, task=task, status=Status.DONE, assignees=[lead])

    task.refresh_from_db()
    assert (task.title, task.status) == ("Renew\nTLS", Status.DONE)
    with pytest.raises(ValidationError) as refused:
        s.task_update(actor=lead, task=task, title="Still\nbroken")
    assert "title" in refused.value.message_dict
