"""Validation gives clear, field-level errors."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.tasks import models as m
from portal.tasks.services import ASSIGNEE_NOT_MEMBER, comment_add, task_create, task_update
from portal.teams.models import TEAM_KEY_INVALID
from tests.factories import TagFactory, TeamFactory


def messages(exc_info, field):
    return exc_info.value.message_dict[field]


def test_bad_tag_colour(db):
    tag = m.Tag(name="bug", color="red")
    with pytest.raises(ValidationError) as exc:
        tag.full_clean()
    assert m.COLOR_INVALID in messages(exc, "color")


def test_tag_name_unique_ignoring_case(db):
    TagFactory(name="Bug")
    with pytest.raises(ValidationError) as exc:
        m.Tag(name="bUG", color="#FFFFFF").full_clean()
    assert m.TAG_TAKEN in exc.value.messages


def test_team_key_format(db):
    with pytest.raises(ValidationError) as exc:
        TeamFactory.build(key="ops1").full_clean()
    assert TEAM_KEY_INVALID in messages(exc, "key")


def test_title_too_long(team, member):
    with pytest.raises(ValidationError) as exc:
        task_create(actor=member, team=team, title="x" * 201)
    assert "at most 200" in messages(exc, "title")[0]


def test_blank_title(team, member):
    with pytest.raises(ValidationError) as exc:
        task_create(actor=member, team=team, title="   ")
    assert "title" in exc.value.message_dict


@pytest.mark.parametrize("value", [[1, 2], "text", 3, None])
def test_metadata_must_be_object(team, member, value):
    with pytest.raises(ValidationError) as exc:
        task_create(actor=member, team=team, title="t", metadata=value)
    assert m.METADATA_NOT_OBJECT in messages(exc, "metadata")


def test_negative_and_huge_hours(team, member):
    with pytest.raises(ValidationError) as exc:
        task_create(actor=member, team=team, title="t", estimated_hours=-1, actual_hours=10000)
    assert set(exc.value.message_dict) == {"estimated_hours", "actual_hours"}


def test_parent_cycle(team, member):
    a = task_create(actor=member, team=team, title="a")
    b = task_create(actor=member, team=team, title="b", parent=a)
    c = task_create(actor=member, team=team, title="c", parent=b)
    with pytest.raises(ValidationError) as exc:
        task_update(actor=member, task=a, parent=c)
    assert m.PARENT_CYCLE in messages(exc, "parent")
    with pytest.raises(ValidationError) as exc:
        task_update(actor=member, task=a, parent=a)
    assert m.PARENT_CYCLE in messages(exc, "parent")


def test_parent_in_other_team(team, other_team, member, superuser):
    foreign = task_create(actor=superuser, team=other_team, title="elsewhere")
    with pytest.raises(ValidationError) as exc:
        task_create(actor=member, team=team, title="child", parent=foreign)
    assert m.PARENT_OTHER_TEAM in messages(exc, "parent")


def test_assignee_outside_team(team, member, outsider):
    with pytest.raises(ValidationError) as exc:
        task_create(actor=member, team=team, title="t", assignees=[outsider])
    assert messages(exc, "assignees") == [ASSIGNEE_NOT_MEMBER.format(names="outsider", team="OPS")]


def test_failed_create_consumes_no_number(team, member):
    with pytest.raises(ValidationError):
        task_create(actor=member, team=team, title="x" * 300)
    assert task_create(actor=member, team=team, title="ok").key == "OPS-1"


def test_comment_is_named_by_the_task_key(client, team, member):
    for _ in range(11):
        task = task_create(actor=member, team=team, title="t")
    comment = comment_add(actor=member, task=task, body="on it")
    assert str(comment) == "Comment by member on OPS-11"
    client.force_login(member)
    page = client.get(reverse("admin:tasks_comment_change", args=[comment.pk]))
    assert "Comment by member on OPS-11" in page.content.decode()
    assert f"on {task.pk}<" not in page.content.decode()
