"""The one description of a task's fields, and what each door derives from it."""

from dataclasses import replace

from portal.api.serializers import TaskSerializer
from portal.pages.forms import TaskForm
from portal.tasks import fields as f
from portal.tasks.resources import TASK_EXPORT_ONLY, TASK_IMPORT_COLUMNS
from portal.tasks.selectors import TASK_ROW_FIELDS
from portal.tasks.services import EDITABLE_FIELDS, M2M_FIELDS


def test_every_door_reads_its_fields_from_the_description():
    assert {
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "estimated_hours",
        "actual_hours",
        "parent",
        "metadata",
        "custom_fields",
        "assignees",
        "tags",
        "is_archived",
        "repeat",
    } == EDITABLE_FIELDS
    assert M2M_FIELDS == ("assignees", "tags")
    assert set(TASK_ROW_FIELDS) == {
        "id",
        "team_id",
        "team__key",
        "number",
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "due_day",
        "estimated_hours",
        "actual_hours",
        "created_by_id",
        "created_by__username",
        "parent_id",
        "metadata",
        "custom_fields",
        "is_archived",
        "completed_at",
        "created_at",
        "updated_at",
        "repeat_rule",
        "repeat_from",
    }
    assert TASK_IMPORT_COLUMNS == (
        "key",
        "team",
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "estimated_hours",
        "actual_hours",
        "assignees",
        "tags",
        "parent",
        "is_archived",
        "repeat",
    )
    assert TASK_EXPORT_ONLY == ("created_by", "created_at", "updated_at", "completed_at")
    assert TaskSerializer.Meta.fields == f.api_names()
    assert TaskSerializer.Meta.fields[:4] == ("id", "key", "team", "title")
    assert "assignee_ids" in TaskSerializer.Meta.fields
    assert f.page_form_names() == (
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "estimated_hours",
        "actual_hours",
    )


def test_a_new_field_is_one_entry(team, lead):
    """An entry joins the service's keywords, the rows, the API and the sheet at once."""
    story_points = replace(
        f.TaskField.plain("story_points"), editable=True, sheet=(13, "story_points")
    )
    fields = (*f.TASK_FIELDS, story_points)
    assert "story_points" in f.editable_names(fields)
    assert "story_points" in f.row_columns(fields)
    assert f.api_names(fields)[-1] == "story_points"
    assert f.sheet_columns(fields, export_only=False)[-1] == "story_points"
    assert "story_points" not in f.sheet_columns(fields, export_only=True)


def test_the_page_form_has_the_described_fields(team, lead):
    from portal.accounts.models import User
    from portal.tasks.models import Tag, Task

    form = TaskForm(
        team=team,
        people=User.objects.none(),
        tags=Tag.objects.none(),
        parents=Task.objects.none(),
    )
    assert set(f.page_form_names()) <= set(form.fields)


# The task admin's form as it was laid out by hand before it was derived from the description.
ADMIN_FIELDSETS = [
    (None, {"fields": ["key", "team", "title", "description", "status", "priority"]}),
    (
        "Planning",
        {
            "fields": [
                "due_date",
                ("estimated_hours", "actual_hours"),
                "assignees",
                "tags",
                "parent",
                "repeat",
            ],
            "classes": ["tab"],
        },
    ),
    (
        "Details",
        {
            "fields": [
                "subtasks_display",
                "metadata",
                "is_archived",
                ("created_by", "created_at_display", "updated_at_display"),
                ("completed_at_display", "archived_at_display"),
            ],
            "classes": ["tab"],
        },
    ),
]


def _admin_form_fields(user, obj=None) -> set[str]:
    from django.contrib import admin
    from django.test import RequestFactory

    from portal.tasks.models import Task

    request = RequestFactory().get("/")
    request.user = user
    task_admin = admin.site._registry[Task]
    return set(task_admin.get_form(request, obj).base_fields)


def test_the_admin_fieldsets_come_from_the_description(team, lead):
    from django.contrib import admin

    from portal.tasks.models import Task

    task_admin = admin.site._registry[Task]
    assert f.admin_fieldsets() == ADMIN_FIELDSETS
    adding = task_admin.get_fieldsets(None, None)
    assert adding[0][1]["fields"] == ADMIN_FIELDSETS[0][1]["fields"][1:]  # no key yet
    assert adding[1:] == ADMIN_FIELDSETS[1:]
    # Every field the services take is on the form.
    # Custom values show as one form field per field of the task's team (cf_<key>).
    assert _admin_form_fields(lead) >= EDITABLE_FIELDS - {"custom_fields"}


def test_a_field_added_to_the_description_reaches_the_admin_form(team, lead, monkeypatch):
    """Without `due_date` in the description the admin's form lacks it; one entry brings it
    back, in its place, and an editable entry without a place still reaches the form."""
    without = tuple(field for field in f.TASK_FIELDS if field.name != "due_date")
    monkeypatch.setattr(f, "TASK_FIELDS", without)
    assert "due_date" not in _admin_form_fields(lead)

    placed = f.TaskField("due_date", editable=True, admin=f.AdminPlace("Planning", 0))
    monkeypatch.setattr(f, "TASK_FIELDS", (*without, placed))
    assert "due_date" in _admin_form_fields(lead)
    assert f.admin_fieldsets() == ADMIN_FIELDSETS

    unplaced = f.TaskField("due_date", editable=True)
    monkeypatch.setattr(f, "TASK_FIELDS", (*without, unplaced))
    assert "due_date" in _admin_form_fields(lead)
    assert f.admin_fieldsets()[-1][1]["fields"][-1] == "due_date"
