"""The task list's filters in the admin: each one is a filter of the one task filter set.

The parameter names, choices and matching come from `portal.tasks.filters.TaskFilter`, so the
admin, the API and the team pages agree on what "overdue" or "assigned to me" means, and a bad
value gets the same message everywhere (shown above the list, which is then empty).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from unfold.contrib.filters.admin import CheckboxFilter, RadioFilter, RangeDateTimeFilter
from unfold.utils import parse_datetime_str

from portal.adminkit.lean import LeanCheckboxForm, LeanRadioForm, LeanRangeDateTimeForm
from portal.adminkit.searchable import SearchableFilter
from portal.tasks.filters import TaskFilter, filter_tasks
from portal.tasks.models import Tag
from portal.tasks.querysets import DUE_SOON_DAYS
from portal.tasks.selectors import tags_visible_to
from portal.teams.models import Team
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


class _MomentRangeFilter(RangeDateTimeFilter):
    """unfold's date-and-time range, matched by the task filter set's `<after>`/`<before>`."""

    form_class = LeanRangeDateTimeForm
    after = before = ""

    def queryset(self, request, queryset):
        filters = {}
        for bound, name in (("from", self.after), ("to", self.before)):
            day = self.used_parameters.get(f"{self.parameter_name}_{bound}_0")
            time = self.used_parameters.get(f"{self.parameter_name}_{bound}_1") or "00:00:00"
            if day:
                # The admin's own input formats first; the filter set judges what is left.
                moment = parse_datetime_str(f"{day} {time}")
                filters[name] = moment.isoformat() if moment else f"{day}T{time}"
        return apply_task_filters(request, queryset, filters) if filters else queryset


class DueRangeFilter(_MomentRangeFilter):
    after, before = "due_after", "due_before"


class CompletedRangeFilter(_MomentRangeFilter):
    after, before = "completed_after", "completed_before"
