import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.events.models import Event
from portal.tasks import custom_fields as cf
from portal.tasks import custom_show
from portal.tasks.selectors import history_readable, task_history, task_history_entries
from portal.tasks.services import (
    DENIED_FIELDS,
    custom_field_create,
    custom_field_delete,
    custom_field_update,
    task_create,
    task_update,
)
from tests.tasks.custom_field_cases import CASES, define, expected

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(team, lead):
    return define(team, lead)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_service_reads_each_type(case, fields, people, team, member):
    if case.error:
        with pytest.raises(ValidationError) as caught:
            task_create(actor=member, team=team, title="T", custom_fields={case.key: case.given})
        assert caught.value.message_dict == {"custom_fields": [case.error]}
    else:
        task = task_create(actor=member, team=team, title="T", custom_fields={case.key: case.given})
        task.refresh_from_db()
        assert task.custom_fields == {case.key: expected(case, fields, people)}


def test_update_merges_and_null_clears(fields, team, member):
    task = task_create(actor=member, team=team, title="T", custom_fields={"note": "a", "points": 1})
    task_update(actor=member, task=task, custom_fields={"points": None, "severity": "S1"})
    task.refresh_from_db()
    sev = fields["severity"].choices[0]["id"]
    assert task.custom_fields == {"note": "a", "severity": sev}


def test_required_on_create_and_default(team, lead, member):
    custom_field_create(actor=lead, team=team, name="Severity", key="severity", type="choice",
                        choices=["S1", "S2"], required=True)  # fmt: skip
    custom_field_create(actor=lead, team=team, name="Billable", key="billable",
                        type="checkbox", default=True)  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        task_create(actor=member, team=team, title="T")
    assert caught.value.message_dict == {"custom_fields": [cf.REQUIRED.format(name="Severity")]}
    task = task_create(actor=member, team=team, title="T", custom_fields={"severity": "S2"})
    assert task.custom_fields["billable"] is True
    with pytest.raises(ValidationError):
        task_update(actor=member, task=task, custom_fields={"severity": None})


def test_unknown_key_is_refused(fields, team, member):
    with pytest.raises(ValidationError) as caught:
        task_create(actor=member, team=team, title="T", custom_fields={"nope": 1})
    assert caught.value.message_dict == {
        "custom_fields": [cf.UNKNOWN_FIELD.format(team="OPS", key="nope")]
    }


def test_only_leads_define_fields(team, member, outsider, superuser, lead):
    for person in (member, outsider):
        with pytest.raises(PermissionDenied, match=DENIED_FIELDS):
            custom_field_create(actor=person, team=team, name="X", key="x")
    assert custom_field_create(actor=superuser, team=team, name="X", key="x").pk


def test_key_rules(team, lead):
    for bad in ("1abc", "Abc", "a__b", "contains", "has_key"):
        with pytest.raises(ValidationError) as caught:
            custom_field_create(actor=lead, team=team, name="X", key=bad)
        assert "key" in caught.value.message_dict
    field = custom_field_create(actor=lead, team=team, name="X", key="x")
    with pytest.raises(ValidationError, match="cannot change"):
        custom_field_update(actor=lead, field=field, key="y")


def test_renaming_and_reordering_a_choice_keeps_values(fields, team, lead, member):
    task = task_create(actor=member, team=team, title="T", custom_fields={"severity": "S2"})
    field = fields["severity"]
    s1, s2, s3 = field.choices
    renamed = [s3, {"id": s2["id"], "label": "Major"}, s1]
    custom_field_update(actor=lead, field=field, choices=renamed)
    task.refresh_from_db()
    assert task.custom_fields["severity"] == s2["id"]
    assert custom_show.api_values(cf.fields_of(team.pk), task.custom_fields)["severity"] == "Major"


def test_archiving_hides_and_keeps(fields, team, lead, member):
    task = task_create(actor=member, team=team, title="T", custom_fields={"note": "kept"})
    custom_field_update(actor=lead, field=fields["note"], is_archived=True)
    assert "note" not in {f.key for f in cf.fields_of(team.pk)}
    assert "note" not in custom_show.api_values(cf.fields_of(team.pk), task.custom_fields)
    with pytest.raises(ValidationError):
        task_update(actor=member, task=task, custom_fields={"note": "x"})
    task_update(actor=member, task=task, custom_fields={"points": 2})
    task.refresh_from_db()
    assert task.custom_fields["note"] == "kept"


def test_history_and_event_name_the_field(fields, team, member):
    task = task_create(actor=member, team=team, title="T", custom_fields={"severity": "S2"})
    task_update(actor=member, task=task, custom_fields={"severity": "S1"})
    records = task_history(task)
    entries = task_history_entries(records, list(records[:1]))
    rows = history_readable(entries)[0]
    assert {"field": "Severity", "old": "S2", "new": "S1"} in rows
    event = Event.objects.filter(task_id=task.pk).order_by("-id").first()
    ids = {c["label"]: c["id"] for c in fields["severity"].choices}
    assert event.payload["changes"] == {"custom_fields.severity": [ids["S2"], ids["S1"]]}
    # Programs read the change by label too, as the API shows the value.
    assert event.payload["custom_fields"] == {
        "severity": {"name": "Severity", "old": "S2", "new": "S1"}
    }


def test_deleting_a_field_with_values_needs_confirmation(fields, team, lead, member):
    task = task_create(actor=member, team=team, title="T", custom_fields={"note": "x"})
    with pytest.raises(ValidationError, match="Confirm"):
        custom_field_delete(actor=lead, field=fields["note"])
    assert custom_field_delete(actor=lead, field=fields["note"], confirm=True) == 1
    task.refresh_from_db()
    assert "note" not in task.custom_fields
    assert task.history.count() == 2
    event = Event.objects.filter(task_id=task.pk).order_by("-id").first()
    assert event.payload["changes"] == {"custom_fields.note": ["x", None]}
    assert event.payload["custom_fields"] == {"note": {"name": "Note", "old": "x", "new": None}}
    # A field without values goes without asking.
    assert custom_field_delete(actor=lead, field=fields["points"]) == 0


def test_create_with_five_values_costs_at_most_two_more_queries(
    fields, team, member, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        task_create(actor=member, team=team, title="plain")
    values = {"note": "a", "points": 1, "severity": "S1", "owner": "member", "billable": True}
    with CaptureQueriesContext(connection) as custom:
        task_create(actor=member, team=team, title="custom", custom_fields=values)
    # The definitions are read by both; the person field's member check is the one more.
    assert len(custom.captured_queries) - len(plain.captured_queries) <= 2


def test_a_choice_tasks_hold_cannot_be_removed(fields, team, lead, member):
    from portal.tasks.services.custom_fields import CHOICE_IN_USE

    task_create(
        actor=member, team=team, title="T", custom_fields={"severity": "S2", "areas": ["web"]}
    )
    s1, s2, s3 = fields["severity"].choices
    with pytest.raises(ValidationError) as caught:
        custom_field_update(actor=lead, field=fields["severity"], choices=[s1, s3])
    assert caught.value.message_dict == {
        "choices": [CHOICE_IN_USE.format(label="S2", count=1, tasks="task")]
    }
    custom_field_update(actor=lead, field=fields["severity"], choices=[s1, s2])  # S3 is free
    api, _web, ops = fields["areas"].choices
    with pytest.raises(ValidationError):
        custom_field_update(actor=lead, field=fields["areas"], choices=[api, ops])
