"""Custom fields as columns of the admin's task list, chosen by the person: a "custom columns"
choice in the filter panel (`?columns=<key>&columns=<key>`, kept in the address like the
filters, so a bookmark or a saved link keeps them). Each cell shows the value by its task's
team's definition, as the pages do (labels, usernames, units)."""

from __future__ import annotations

from unfold.contrib.filters.admin import CheckboxFilter
from unfold.decorators import display

from portal.adminkit.lean import LeanCheckboxForm
from portal.tasks.custom_show import show_value
from portal.tasks.resources.task_custom import CustomColumn, columns_for_teams, people_of
from portal.teams.selectors import teams_visible_to

PARAMETER = "columns"


def visible_columns(request) -> list[CustomColumn]:
    """The custom fields of the person's teams, one column per key (one query, kept on the
    request: the filter and the list both ask)."""
    cached = getattr(request, "_custom_columns", None)
    if cached is None:
        teams = teams_visible_to(fetched_by=request.user).values_list("pk", flat=True)
        cached = request._custom_columns = columns_for_teams(teams)
    return cached


class CustomColumnsFilter(CheckboxFilter):
    """Not a filter: which custom fields the list shows as columns."""

    form_class = LeanCheckboxForm
    title = "custom columns"
    parameter_name = PARAMETER

    def lookups(self, request, model_admin):
        return [(c.key, c.header) for c in visible_columns(request)]

    def queryset(self, request, queryset):
        return queryset


def chosen_columns(request) -> list:
    """The list columns for the custom fields chosen in the address (none by default)."""
    wanted = set(request.GET.getlist(PARAMETER))
    columns = [c for c in visible_columns(request) if c.key in wanted]
    if not columns:
        return []
    people = people_of(columns)
    return [_column(column, people) for column in columns]


def _column(column: CustomColumn, people: dict[int, str]):
    @display(description=column.header)
    def cell(obj):
        field = column.by_team.get(obj.team_id)
        if field is None:
            return "-"
        return show_value(field, (obj.custom_fields or {}).get(column.key), people) or "-"

    cell.__name__ = f"cf_column_{column.key}"
    return cell
