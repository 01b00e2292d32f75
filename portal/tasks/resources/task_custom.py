"""The task sheet's custom field columns: one per field of the teams in the sheet.

A column is named by the field's name (its key is accepted too); teams that define the same
key share the column, each task's cell read and written by its own team's definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from portal.tasks.custom_show import sheet_cell, sheet_header
from portal.tasks.models import CustomField
from portal.teams.models import Membership

NO_SUCH_FIELD = "Team {team} has no custom field “{name}”: leave the cell empty."


@dataclass
class CustomColumn:
    header: str  # as exported (the first team's field name)
    key: str
    by_team: dict[int, CustomField] = field(default_factory=dict)


def custom_columns(definitions) -> list[CustomColumn]:
    """Columns for `definitions` (ordered by team, order), one per key."""
    columns: dict[str, CustomColumn] = {}
    for definition in definitions:
        column = columns.setdefault(definition.key, CustomColumn(definition.name, definition.key))
        column.by_team[definition.team_id] = definition
    return list(columns.values())


def columns_for_tasks(queryset: QuerySet | None) -> list[CustomColumn]:
    """The custom columns of an export: the shown fields of the exported tasks' teams."""
    if queryset is None:
        return []
    teams = queryset.model.objects.filter(pk__in=queryset.values("pk")).values("team_id")
    found = CustomField.objects.filter(team_id__in=teams, is_archived=False).order_by(
        "team_id", "order", "id"
    )
    return custom_columns(found)


def columns_for_teams(team_ids) -> list[CustomColumn]:
    found = CustomField.objects.filter(team_id__in=list(team_ids), is_archived=False)
    found = found.select_related("team").order_by("team_id", "order", "id")
    return custom_columns(found)


def people_of(columns: list[CustomColumn]) -> dict[int, str]:
    """Usernames of the members of teams with person fields, by id (one query, or none)."""
    teams = {
        team_id
        for column in columns
        for team_id, definition in column.by_team.items()
        if definition.type == "person"
    }
    if not teams:
        return {}
    return dict(
        Membership.objects.filter(team_id__in=teams).values_list("user_id", "user__username")
    )


def member_logins(columns: list[CustomColumn]) -> dict[int, dict[str, int]]:
    """For person fields on import: each team's members by lower-cased username (one query)."""
    teams = {
        team_id
        for column in columns
        for team_id, definition in column.by_team.items()
        if definition.type == "person"
    }
    found: dict[int, dict[str, int]] = {}
    if teams:
        rows = Membership.objects.filter(Q(team_id__in=teams)).values_list(
            "team_id", "user_id", "user__username"
        )
        for team_id, user_id, username in rows:
            found.setdefault(team_id, {})[username.lower()] = user_id
    return found


def cells_of(
    team_id: int, values: dict | None, columns: list[CustomColumn], people: dict[int, str]
) -> list[Any]:
    """The custom cells of a task of `team_id` whose custom values are `values`."""
    values = values or {}
    cells = []
    for column in columns:
        definition = column.by_team.get(team_id)
        cells.append(
            "" if definition is None else sheet_cell(definition, values.get(column.key), people)
        )
    return cells


def match_headers(columns: list[CustomColumn], headers) -> dict[str, CustomColumn]:
    """The sheet's custom columns by their header as read (a field's name or key)."""
    names: dict[str, CustomColumn] = {}
    for column in columns:
        names[sheet_header(column.key)] = column
        for definition in column.by_team.values():
            names.setdefault(sheet_header(definition.name), column)
    given = {sheet_header(str(h or "")) for h in headers}
    return {name: column for name, column in names.items() if name in given}


def custom_help(column: CustomColumn) -> list[str]:
    """What a custom column holds and takes, for the template's explanation."""
    holds, takes = [], []
    for definition in column.by_team.values():
        team = definition.team.key
        extra = " (required)" if definition.required else ""
        holds.append(f"{team}: {definition.name}, {definition.get_type_display()}{extra}")
        if definition.choices:
            takes.append(f"{team}: " + ", ".join(c["label"] for c in definition.choices))
    return ["Custom field. " + "; ".join(holds), "; ".join(takes) or "See docs/custom-fields.md"]
