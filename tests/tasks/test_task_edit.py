"""task_edit: fields and added or removed links of one task in one change (the bulk edit)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from portal.tasks import permissions as task_perms
from portal.tasks.services import task_create, task_edit
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db


def test_adds_and_removes_links_keeping_the_others_in_one_history_record(
    team, member, member2, lead
):
    keep, drop, new = TagFactory(name="keep"), TagFactory(name="drop"), TagFactory(name="new")
    task = task_create(
        actor=member, team=team, title="T", assignees=[member, member2], tags=[keep, drop]
    )
    before = task.history.count()
    task_edit(
        actor=member,
        task=task,
        status="in_progress",
        due_date=date(2030, 1, 2),
        add={"tags": [new], "assignees": [lead]},
        remove={"tags": [drop], "assignees": [member2]},
    )
    task.refresh_from_db()
    assert task.status == "in_progress" and task.due_day == date(2030, 1, 2)
    assert {t.name for t in task.tags.all()} == {"keep", "new"}
    assert set(task.assignees.all()) == {member, lead}
    assert task.history.count() == before + 1


def test_removing_what_the_task_lacks_changes_nothing(team, member):
    task = task_create(actor=member, team=team, title="T")
    before = task.history.count()
    task_edit(actor=member, task=task, remove={"tags": [TagFactory()]})
    assert task.history.count() == before


def test_viewers_are_refused_and_only_links_may_be_added(team, member, viewer):
    task = task_create(actor=member, team=team, title="T")
    with pytest.raises(PermissionDenied, match=task_perms.DENIED_EDIT_TASK):
        task_edit(actor=viewer, task=task, status="done")
    with pytest.raises(TypeError):
        task_edit(actor=member, task=task, add={"title": ["x"]})
