"""The task list's filters in the admin: each one is a filter of the one task filter set.

The parameter names, choices and matching come from `portal.tasks.filters.TaskFilter`, so the
admin, the API and the team pages agree on what "overdue" or "assigned to me" means, and a bad
value gets the same message everywhere (shown above the list, which is then empty).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from unfold.contrib.filters.admin import CheckboxFilter, RadioFilter, RangeDateTimeFilter
from unfold.utils import parse_datetime_str

from portal.adminkit.lean import LeanCheckboxForm, LeanRadioForm, LeanRangeDateTimeForm
from portal.adminkit.searchable import SearchableFilter
from portal.tasks.filters import TaskFilter, filter_tasks
from portal.tasks.models import CustomField, FieldType, Tag
from portal.tasks.querysets import DUE_SOON_DAYS
from portal.tasks.selectors import tags_visible_to
from portal.teams.models import Team
from portal.teams.permissions import in_my_teams
from portal.teams.selectors import assignee_choices, teams_visible_to, users_visible_to


def apply_task_filters(request, queryset, filters: dict):
    """Filter through the task filter set; a bad value empties the list and says why."""
    try:
        return filter_tasks(queryset, user=request.user, filters=filters, hide_archived=False)
    except ValidationError as exc:
        for name, problems in exc.message_dict.items():
            for problem in problems:
                messages.error(request, f"Filter {name}: {problem}")
        return queryset.none()


def _choices(name: str) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in TaskFilter.base_filters[name].extra["choices"]]


class TaskFilterMixin:
    """`parameter_name` is a filter of TaskFilter; the value goes to it unchanged."""

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, "", []):
            return queryset
        return apply_task_filters(request, queryset, {self.parameter_name: value})


class TeamFilter(TaskFilterMixin, SearchableFilter):
    """Searched like people: an administrator's list would otherwise grow with every team.

    Links may name the team by id or by key (`team=OPS`), as the task filter set takes both.
    """

    title = "team"
    parameter_name = "team"
    search_model = Team

    @classmethod
    def choice_queryset(cls, request):
        return teams_visible_to(fetched_by=request.user)

    @classmethod
    def chosen(cls, request, value: str):
        if value.isascii() and value.isalpha():
            return cls.choice_queryset(request).filter(key__iexact=value).first()
        return super().chosen(request, value)


class StatusFilter(TaskFilterMixin, CheckboxFilter):
    form_class = LeanCheckboxForm
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return _choices("status")


class PriorityFilter(TaskFilterMixin, CheckboxFilter):
    form_class = LeanCheckboxForm
    title = "priority"
    parameter_name = "priority"

    def lookups(self, request, model_admin):
        return _choices("priority")


class AssigneeFilter(TaskFilterMixin, SearchableFilter):
    """Searched, not listed: one link per person made the list page grow with the team."""

    title = "assignee"
    parameter_name = "assignee"
    fixed_choices = (("me", "Assigned to me"), ("none", "Unassigned"))
    search_model = get_user_model()

    @classmethod
    def choice_queryset(cls, request):
        return assignee_choices(fetched_by=request.user)

    @classmethod
    def choice_label(cls, obj) -> str:
        return obj.get_username()


class CreatedByFilter(TaskFilterMixin, SearchableFilter):
    title = "creator"
    parameter_name = "created_by"
    search_model = get_user_model()

    @classmethod
    def choice_queryset(cls, request):
        return users_visible_to(fetched_by=request.user)

    @classmethod
    def choice_label(cls, obj) -> str:
        return obj.get_username()


class TagFilter(TaskFilterMixin, SearchableFilter):
    """Tags are shared by all teams and only grow; the filter's value is the tag's name."""

    title = "tag"
    parameter_name = "tag"
    search_model = Tag
    to_field = "name"

    @classmethod
    def choice_queryset(cls, request):
        return tags_visible_to(fetched_by=request.user).order_by("name")


class OverdueFilter(TaskFilterMixin, RadioFilter):
    form_class = LeanRadioForm
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("true", "Overdue only"), ("false", "Not overdue")]


class OpenFilter(TaskFilterMixin, RadioFilter):
    form_class = LeanRadioForm
    title = "open"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("true", "Open (not done)"), ("false", "Done")]


class DueWithinFilter(TaskFilterMixin, RadioFilter):
    """Open and due from now until so many days from now (the dashboard's "due soon")."""

    form_class = LeanRadioForm
    title = "due within"
    parameter_name = "due_within"

    def lookups(self, request, model_admin):
        days = sorted({1, DUE_SOON_DAYS, 30})
        return [(str(n), "1 day" if n == 1 else f"{n} days") for n in days]


class ArchivedFilter(TaskFilterMixin, RadioFilter):
    """Archived tasks are hidden unless asked for."""

    form_class = LeanRadioForm
    title = "archived"
    parameter_name = "is_archived"
    all_option = None

    def lookups(self, request, model_admin):
        return [("false", "Active"), ("true", "Archived"), ("all", "All")]

    def value(self):
        return super().value() or "false"


# The admin list's date-and-time ranges and the task filter set's names for their bounds.
# unfold's range of `due_date` is four parameters: `due_date_from_0` (day), `due_date_from_1`
# (time), `due_date_to_0` and `due_date_to_1`; the filter set calls the bounds `due_after` and
# `due_before`. The list's filters, its background exports and the dashboard's links all
# translate through these two functions.
TASK_RANGES = {
    "due_date": ("due_after", "due_before"),
    "completed_at": ("completed_after", "completed_before"),
}
# Admin list parameters that are not the task filter set's own names.
TASK_PARAMETERS = {"q": "search"}
_BOUNDS = ("from", "to")


def range_filters(params, fields: Iterable[str] = TASK_RANGES) -> dict[str, str]:
    """The filter set's values (`due_after`, ...) for the admin's range parameters in `params`.

    The admin's own input formats are read first; the filter set judges what is left.
    """
    filters = {}
    for field in fields:
        for bound, name in zip(_BOUNDS, TASK_RANGES[field], strict=True):
            day = params.get(f"{field}_{bound}_0")
            if day:
                time = params.get(f"{field}_{bound}_1") or "00:00:00"
                moment = parse_datetime_str(f"{day} {time}")
                filters[name] = moment.isoformat() if moment else f"{day}T{time}"
    return filters


def range_parameters(**moments: datetime | None) -> dict[str, str]:
    """The admin list's parameters for moments given by the filter set's names
    (`completed_after=...`), in local date and time as the range's inputs show them."""
    names = {
        name: (field, bound)
        for field, bounds in TASK_RANGES.items()
        for bound, name in zip(_BOUNDS, bounds, strict=True)
    }
    params = {}
    for name, moment in moments.items():
        field, bound = names[name]
        if moment is not None:
            local = timezone.localtime(moment)
            params[f"{field}_{bound}_0"] = local.strftime("%Y-%m-%d")
            params[f"{field}_{bound}_1"] = local.strftime("%H:%M:%S")
    return params


def admin_task_filters(params) -> dict[str, str]:
    """The task changelist's query string as the task filter set's values (for a job)."""
    names = set(TaskFilter.base_filters)
    filters = {k: v for k, v in params.items() if k in names and v != ""}
    for admin_name, name in TASK_PARAMETERS.items():
        if params.get(admin_name):
            filters[name] = params[admin_name]
    filters.update(range_filters(params))
    return filters


class MomentRangeFilter(RangeDateTimeFilter):
    """unfold's date-and-time range, matched by the task filter set's bounds (`TASK_RANGES`)."""

    form_class = LeanRangeDateTimeForm

    def queryset(self, request, queryset):
        filters = range_filters(self.used_parameters, [self.parameter_name])
        return apply_task_filters(request, queryset, filters) if filters else queryset


# The list's two ranges, each named by its field: `("due_date", DueRangeFilter)`.
DueRangeFilter = CompletedRangeFilter = MomentRangeFilter


class _CustomFieldFilter(TaskFilterMixin, admin.SimpleListFilter):
    """A custom choice or checkbox field of the user's teams (`cf_<key>`), one option per
    label; built per request by `custom_field_filters`."""

    options: list[tuple[str, str]] = []

    def lookups(self, request, model_admin):
        return self.options


def custom_field_filters(request) -> list[type]:
    """A list filter per custom choice, multiple-choice and checkbox field of the user's teams
    (teams sharing a key share the filter): one query."""
    found = (
        CustomField.objects.filter(
            in_my_teams(request.user),
            is_archived=False,
            type__in=[FieldType.CHOICE, FieldType.MULTI_CHOICE, FieldType.CHECKBOX],
        )
        .order_by("order", "id")
        .only("key", "name", "type", "choices")
    )
    by_key: dict[str, tuple[str, dict[str, str]]] = {}
    for field in found:
        options = by_key.setdefault(field.key, (field.name, {}))[1]
        if field.type == FieldType.CHECKBOX:
            options.update({"yes": "Ticked", "no": "Not ticked"})
        for choice in field.choices:
            options.setdefault(choice["label"].lower(), choice["label"])
    return [
        type(
            f"CustomFieldFilter_{key}",
            (_CustomFieldFilter,),
            {"title": title, "parameter_name": f"cf_{key}", "options": list(options.items())},
        )
        for key, (title, options) in by_key.items()
    ]
