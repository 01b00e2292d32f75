"""Every model refuses what the database cannot store, and unique rules never end in a 500."""

import pytest
from django.core.exceptions import ValidationError

from portal.core.models import save_checked
from portal.core.validators import JSON_TOO_DEEP, MAX_JSON_DEPTH, NUL_CHARACTER
from portal.tasks.models import TAG_TAKEN, Tag
from portal.tasks.services import comment_add, tag_create, task_create, task_update
from portal.teams.models import ALREADY_MEMBER, Membership, Role
from portal.teams.services import team_update
from tests.core.test_validators import nested


def test_nul_in_text_is_a_field_error_on_every_model(team, lead, member):
    task = task_create(actor=member, team=team, title="ok")
    with pytest.raises(ValidationError) as exc:
        task_update(actor=member, task=task, title="a\x00b", description="\x00")
    assert exc.value.message_dict == {"title": [NUL_CHARACTER], "description": [NUL_CHARACTER]}
    with pytest.raises(ValidationError) as exc:
        comment_add(actor=member, task=task, body="hi\x00")
    assert exc.value.message_dict == {"body": [NUL_CHARACTER]}
    with pytest.raises(ValidationError) as exc:
        team_update(actor=lead, team=team, description="\x00")
    assert exc.value.message_dict == {"description": [NUL_CHARACTER]}
    with pytest.raises(ValidationError) as exc:
        tag_create(actor=member, name="x\x00")
    assert exc.value.message_dict == {"name": [NUL_CHARACTER]}


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"a": "\x00"}, NUL_CHARACTER),
        ({"\x00": 1}, NUL_CHARACTER),
        ({"a": nested(MAX_JSON_DEPTH)}, JSON_TOO_DEEP),
        ({"a": nested(5000)}, JSON_TOO_DEEP),
    ],
)
def test_metadata_the_database_cannot_take_is_a_field_error(team, member, metadata, message):
    task = task_create(actor=member, team=team, title="ok")
    with pytest.raises(ValidationError) as exc:
        task_update(actor=member, task=task, metadata=metadata)
    assert exc.value.message_dict == {"metadata": [message]}


def test_metadata_at_the_depth_limit_is_stored(team, member):
    deepest = {"a": nested(MAX_JSON_DEPTH - 1, leaf="x")}
    task = task_create(actor=member, team=team, title="ok", metadata=deepest)
    task.refresh_from_db()
    assert task.metadata == deepest


@pytest.mark.parametrize("due", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"])
def test_due_dates_on_the_calendar_edges_are_a_field_error(team, member, due):
    from datetime import datetime

    from portal.tasks.due import DUE_OUT_OF_RANGE

    # Far outside the range a due date may have (portal/tasks/due.py), which comes first.
    with pytest.raises(ValidationError) as exc:
        task_create(actor=member, team=team, title="edge", due_date=datetime.fromisoformat(due))
    assert exc.value.message_dict == {"due_date": [DUE_OUT_OF_RANGE]}


def test_people_get_the_check_too(member):
    from portal.accounts.services import profile_update

    with pytest.raises(ValidationError) as exc:
        profile_update(actor=member, user=member, first_name="Ann\x00")
    assert exc.value.message_dict == {"first_name": [NUL_CHARACTER]}


def test_a_unique_rule_lost_on_save_is_a_validation_error(team, member, db):
    # What a request that lost the race sees: full_clean() passed before the other row existed.
    Tag.objects.create(name="Urgent")
    late = Tag(name="urgent")
    with pytest.raises(ValidationError) as exc:
        save_checked(late)
    assert exc.value.messages == [TAG_TAKEN]
    assert Tag.objects.count() == 1  # and the transaction is still usable

    twice = Membership(team=team, user=member, role=Role.VIEWER)
    with pytest.raises(ValidationError) as exc:
        save_checked(twice)
    assert exc.value.messages == [ALREADY_MEMBER]


def test_other_integrity_errors_are_not_hidden(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        save_checked(Tag(name=None))
