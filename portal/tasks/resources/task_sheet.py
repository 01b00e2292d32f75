"""The task sheet: its resource (columns, export rows, import) and the rows a person may export."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from import_export import fields

from portal.core.resources import SheetResource
from portal.tasks.choices import Priority, Status
from portal.tasks.models import Task
from portal.tasks.resources.task_columns import TASK_COLUMNS, TASK_IMPORT_COLUMNS
from portal.tasks.resources.task_custom import (
    columns_for_tasks,
    columns_for_teams,
    custom_help,
    people_of,
)
from portal.tasks.resources.task_export import NO, export_rows
from portal.tasks.resources.task_import import _TaskSheet
from portal.tasks.selectors import task_list
from portal.teams.selectors import teams_writable_by


class TaskResource(SheetResource):
    """The task sheet: see docs/spreadsheets.md for the columns and what each accepts."""

    columns = TASK_COLUMNS
    has_lookalikes = True

    key = fields.Field(column_name="key")
    team = fields.Field(column_name="team")
    title = fields.Field(column_name="title")
    description = fields.Field(column_name="description")
    status = fields.Field(column_name="status")
    priority = fields.Field(column_name="priority")
    due_date = fields.Field(column_name="due_date")
    estimated_hours = fields.Field(column_name="estimated_hours")
    actual_hours = fields.Field(column_name="actual_hours")
    assignees = fields.Field(column_name="assignees")
    tags = fields.Field(column_name="tags")
    parent = fields.Field(column_name="parent")
    is_archived = fields.Field(column_name="is_archived")
    repeat = fields.Field(column_name="repeat")
    created_by = fields.Field(column_name="created_by", readonly=True)
    created_at = fields.Field(column_name="created_at", readonly=True)
    updated_at = fields.Field(column_name="updated_at", readonly=True)
    completed_at = fields.Field(column_name="completed_at", readonly=True)

    class Meta:
        model = Task
        use_transactions = True
        fields = TASK_COLUMNS
        import_id_fields = ["key"]
        name = "Tasks"

    import_columns = TASK_IMPORT_COLUMNS

    # -- export: the built-in columns, then one per custom field of the exported teams --
    _custom: list | None = None
    _custom_of: Any = None

    def _custom_columns(self, queryset) -> list:
        if queryset is not None and queryset is not self._custom_of:
            self._custom, self._custom_of = columns_for_tasks(queryset), queryset
            self._people = people_of(self._custom)
        return self._custom or []

    def headers(self, queryset=None) -> list[str]:
        """The columns of an export of `queryset` (its teams' custom fields last)."""
        return [*self.columns, *(c.header for c in self._custom_columns(queryset))]

    def rows(self, queryset):
        """The export's rows, read lean and built from the field description (`task_export`)."""
        custom = self._custom_columns(queryset)
        return export_rows(queryset, custom, getattr(self, "_people", {}))

    def example(self, user) -> list[Any]:
        team = teams_writable_by(fetched_by=user).first()
        return [
            "",
            team.key if team else "OPS",
            "Renew the TLS certificate",
            "Order it from the usual provider.",
            Status.TODO.value,
            Priority.HIGH.value,
            "2026-12-31",
            "2.5",
            "",
            user.username,
            "infra, security",
            "",
            NO,
            "",
        ]

    def column_help(self, user) -> list[list[str]]:
        teams = (
            ", ".join(f"{t.key} ({t.name})" for t in teams_writable_by(fetched_by=user)) or "none"
        )
        statuses = ", ".join(f"{v} ({label})" for v, label in Status.choices)
        priorities = ", ".join(f"{v} ({label})" for v, label in Priority.choices)
        return [
            ["key", "The task's key; empty to add a task.", "Such as OPS-42"],
            ["team", "The task's team (its key or slug).", f"Your teams: {teams}"],
            ["title", "Required, 1 to 200 characters.", "Text"],
            ["description", "Optional.", "Text"],
            ["status", "Value or label, any case.", statuses],
            ["priority", "Value or label, any case.", priorities],
            ["due_date", "A day is due until it ends in the team's time zone; a time (in "
             f"{timezone.get_current_timezone_name()}) only if it matters; empty: none.",
             "2026-12-31 or 2026-12-31 17:00, or a date cell"],
            ["estimated_hours", "Optional; 0 to 9999.99.", "A number, such as 2.5"],
            ["actual_hours", "Optional; 0 to 9999.99.", "A number, such as 2.5"],
            ["assignees", "Leads and members of the team; empty: nobody.",
             "Usernames or emails, comma-separated"],
            ["tags", "New names create tags; empty: none.", "Tag names, comma-separated"],
            ["parent", "A task of the same team; empty: none.", "Such as OPS-7"],
            ["is_archived", "Empty means no.", "yes or no"],
            ["repeat", "Empty: the task does not repeat (an empty cell stops it). Counted "
             "from the due day, or from the day it is done with ;X-FROM=DONE.",
             "An RRULE such as FREQ=WEEKLY;BYDAY=MO,TH"],
            ["created_by, created_at, updated_at, completed_at",
             "Written on export, ignored on import.", ""],
        ]  # fmt: skip

    def template(self, user):
        """The import template, with a column per custom field of the user's writable teams."""
        headers, rows, explanation = super().template(user)
        teams = teams_writable_by(fetched_by=user).values_list("pk", flat=True)
        columns = columns_for_teams(teams)
        for column in columns:
            headers.append(column.header)
            rows[0].append("")
            explanation.append([column.header, *custom_help(column)])
        return headers, rows, explanation

    # --- import ---------------------------------------------------------------------------
    def sheet_for(self, user, headers, cells, progress) -> _TaskSheet:
        """Rows with a key change that task; rows without one add a task to their team. Every
        row is checked, then all of them are written through the services, or none."""
        return _TaskSheet(user, headers, cells, progress)


def tasks_for_sheet(user, filters=None):
    """The task sheet's rows for `user`: the one task filter set (archived ones on ask)."""
    return task_list(fetched_by=user, filters=filters)
