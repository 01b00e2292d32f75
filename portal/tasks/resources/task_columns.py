"""The task sheet's columns and the messages its cells are refused with."""

from __future__ import annotations

from portal.tasks.fields import sheet_columns

# The task sheet's columns, in order (portal/tasks/fields.py); the export-only ones are written
# on export and ignored on import.
TASK_IMPORT_COLUMNS = sheet_columns(export_only=False)
TASK_EXPORT_ONLY = sheet_columns(export_only=True)
TASK_COLUMNS = TASK_IMPORT_COLUMNS + TASK_EXPORT_ONLY
PROGRESS_EVERY = 500  # rows between progress reports of a background import
# Messages of the task sheet's cells, reused by tests.
KEY_INVALID = "Enter a task key such as OPS-42, or leave the cell empty to add a task."
KEY_UNKNOWN = "There is no task {key} in your teams."
KEY_OTHER_TEAM = "{key} is a task of team {found}, not {team}: tasks cannot move between teams."
KEY_DUPLICATE = "{key} appears more than once in the file (rows {rows})."
TEAM_UNKNOWN = "Unknown team “{value}”: enter the key (OPS) or the slug of one of your teams."
TEAM_REQUIRED = "Enter the team of the new task (its key, such as OPS)."
TITLE_REQUIRED = "The sheet needs a title column to add tasks."
CHOICE_INVALID = "“{value}” is not a {column}: enter one of {choices} (or its label)."
CHOICE_REQUIRED = "Enter a {column}: one of {choices}."
DATE_INVALID = "Enter a date (2026-12-31) or a date and time (2026-12-31 17:00)."
NUMBER_INVALID = "Enter a number of hours, such as 2.5."
PERSON_UNKNOWN = "Unknown person: {names} (enter usernames or emails of people in your teams)."
PARENT_UNKNOWN = "There is no task {key} in your teams to be the parent."
PARENT_INVALID = "Enter the key of the parent task, such as OPS-42."

# Rows without a key that look like a task that exists (same team, title and due day).
LOOKALIKES = "{count} {rows}: {keys}."
LOOKALIKES_SKIPPED = "{count} {rows}, left out: {keys}."
LOOKALIKE_ONE = "row looks like a task that exists"
LOOKALIKE_MANY = "rows look like tasks that exist"
LOOKALIKE_MORE = " and {count} more"
LOOKALIKE_KEYS_SHOWN = 10
