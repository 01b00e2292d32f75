"""The one task filter set: every door (API, admin, team pages, exports) filters tasks here.

Values are plain strings as they come in a query string (`{"status": "todo,blocked",
"assignee": "me", "overdue": "true"}`), so a bad value gets the same message at every door.
Matching rules come from the query vocabulary (`portal.tasks.querysets`).
"""

from __future__ import annotations

from collections.abc import Mapping

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from portal.core.filtersets import ParsingFilterSet
from portal.tasks import custom_fields as cf
from portal.tasks import custom_filters
from portal.tasks.choices import Priority, Status
from portal.tasks.filter_fields import (
    ARCHIVED_ALL,
    ASSIGNEE_INVALID,
    CUSTOM_INVALID,
    CUSTOM_PARAM,
    DUE_WITHIN_MAX,
    ORDERING_FIELDS,
    ORDERING_INVALID,
    PARENT_INVALID,
    ArchivedField,
    DaysField,
    IdField,
    IdOrWordField,
    MomentField,
    MultipleChoiceCSVField,
    OrderingField,
    StrictBooleanField,
    TeamField,
)
from portal.tasks.models import CustomField, Task
from portal.teams.models import team_ref_q
from portal.teams.permissions import in_my_teams


# --- filters -------------------------------------------------------------------------------
class _Filter(filters.Filter):
    """A filter whose form field does the parsing and a method does the matching."""

    def __init__(self, *args, field_class=None, **kwargs):
        if field_class is not None:
            self.field_class = field_class
        super().__init__(*args, **kwargs)


class TaskFilter(ParsingFilterSet):
    """Every task filter. `user` resolves "me"; archived tasks are hidden unless asked for."""

    team = _Filter(
        method="filter_team",
        field_class=TeamField,
        help_text="A team id, key (OPS) or slug (operations).",
    )
    status = _Filter(
        field_name="status",
        lookup_expr="in",
        field_class=MultipleChoiceCSVField,
        choices=Status.choices,
        help_text="One or several of " + ", ".join(Status.values) + ", comma-separated.",
    )
    priority = _Filter(
        field_name="priority",
        lookup_expr="in",
        field_class=MultipleChoiceCSVField,
        choices=Priority.choices,
        help_text="One or several of " + ", ".join(Priority.values) + ", comma-separated.",
    )
    assignee = _Filter(
        method="filter_assignee",
        field_class=IdOrWordField,
        words=("me", "none"),
        message=ASSIGNEE_INVALID,
        help_text='A user id, "me" or "none" (no assignee).',
    )
    created_by = _Filter(field_name="created_by_id", field_class=IdField, help_text="A user id.")
    tag = filters.CharFilter(
        field_name="tags__name", lookup_expr="iexact", max_length=50, help_text="A tag name."
    )
    due_after = _Filter(
        field_name="due_date",
        lookup_expr="gte",
        field_class=MomentField,
        help_text="Due at or after this date or date and time (ISO 8601).",
    )
    due_before = _Filter(
        field_name="due_date",
        lookup_expr="lt",
        field_class=MomentField,
        help_text="Due before this date or date and time (ISO 8601).",
    )
    completed_after = _Filter(
        field_name="completed_at",
        lookup_expr="gte",
        field_class=MomentField,
        help_text="Completed at or after this date or date and time (ISO 8601).",
    )
    completed_before = _Filter(
        field_name="completed_at",
        lookup_expr="lt",
        field_class=MomentField,
        help_text="Completed before this date or date and time (ISO 8601).",
    )
    overdue = _Filter(
        method="filter_overdue",
        field_class=StrictBooleanField,
        help_text="true: past due, not done, not archived; false: all others.",
    )
    open = _Filter(
        method="filter_open",
        field_class=StrictBooleanField,
        help_text="true: not done and not archived (open); false: done or archived.",
    )
    due_within = _Filter(
        method="filter_due_within",
        field_class=DaysField,
        help_text=f"Open and due from now until this many days from now (1-{DUE_WITHIN_MAX}).",
    )
    is_archived = _Filter(
        method="filter_archived",
        field_class=ArchivedField,
        help_text='Archived tasks are left out unless "true" (only archived) or "all".',
    )
    parent = _Filter(
        method="filter_parent",
        field_class=IdOrWordField,
        words=("none",),
        message=PARENT_INVALID,
        help_text='A task id, or "none" for top-level tasks.',
    )
    search = filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="A key (OPS-42), or words in the title or description.",
    )
    ordering = _Filter(
        method="filter_ordering",
        field_class=OrderingField,
        help_text="Comma-separated: "
        + ", ".join(ORDERING_FIELDS)
        + "; prefix with - for descending. Tasks without a due date come last either way.",
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def __init__(
        self, data=None, queryset=None, *, user=None, hide_archived=True, request=None, prefix=None
    ):
        super().__init__(data=data, queryset=queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)
        self.hide_archived = hide_archived
        self._custom: tuple[list, dict, dict[str, list[str]]] | None = None

    def _custom_filters(self) -> tuple[list, dict, dict[str, list[str]]]:
        """The `cf_<key>` filters and orderings given: (conditions, order expressions by
        name, errors by parameter). The definitions are those of the user's teams with the
        keys named (one query, none when no custom field is named); a key several teams
        define matches each team's tasks by that team's definition."""
        if self._custom is not None:
            return self._custom
        data = self.data or {}
        params = {name: str(data.get(name) or "") for name in data if name.startswith("cf_")}
        params = {name: value for name, value in params.items() if value.strip()}
        ordering = [
            term.strip().lstrip("-")
            for term in str(data.get("ordering") or "").split(",")
            if term.strip().lstrip("-").startswith("cf_")
        ]
        errors: dict[str, list[str]] = {}
        wanted: dict[str, tuple[str, str | None]] = {}  # filter parameter -> (key, lookup)
        sorted_by: dict[str, str] = {}  # ordering term (without -) -> key
        for name in params:
            match = CUSTOM_PARAM.match(name)
            if match is None:
                errors[name] = [CUSTOM_INVALID]
            else:
                wanted[name] = match.groups()
        for name in ordering:
            match = CUSTOM_PARAM.match(name)
            if match is None or match.group(2):
                errors[name] = [ORDERING_INVALID.format(fields=", ".join(ORDERING_FIELDS))]
            else:
                sorted_by[name] = match.group(1)
        keys = {key for key, _ in wanted.values()} | set(sorted_by.values())
        definitions: dict[str, list[CustomField]] = {}
        if keys:
            found = CustomField.objects.filter(in_my_teams(self.user), key__in=keys)
            for field in found.filter(is_archived=False).order_by("team_id", "id"):
                definitions.setdefault(field.key, []).append(field)
        conditions, orders = [], {}
        for name, key in sorted_by.items():
            if key in definitions:
                orders[name] = custom_filters.order_expression(definitions[key])
            else:
                errors[name] = [cf.FILTER_UNKNOWN.format(key=key)]
        for name, (key, lookup) in wanted.items():
            fields = definitions.get(key)
            if not fields:
                errors[name] = [cf.FILTER_UNKNOWN.format(key=key)]
                continue
            matches, problems = Q(pk__in=[]), []
            for field in fields:
                try:
                    matches |= custom_filters.value_q(
                        field, lookup or "exact", params[name].strip()
                    )
                except ValidationError as exc:
                    problems.extend(exc.messages)
            if problems and len(problems) == len(fields):
                errors[name] = sorted(set(problems))
            else:
                conditions.append(matches)
        self._custom = (conditions, orders, errors)
        return self._custom

    def is_valid(self):
        return super().is_valid() and not self._custom_filters()[2]

    @property
    def errors(self):
        errors = dict(super().errors)
        errors.update(self._custom_filters()[2])
        return errors

    @property
    def qs(self):
        qs = super().qs
        if self.hide_archived and self.form.cleaned_data.get("is_archived") is None:
            qs = qs.active()
        conditions, _, _ = self._custom_filters()
        for condition in conditions:
            qs = qs.filter(condition)
        return qs

    # The type hints of `value` describe the query-string type for the API's schema.
    def filter_team(self, qs, name, value: str):
        return qs.filter(team_ref_q(value, prefix="team__"))

    def filter_assignee(self, qs, name, value: str):
        if value == "me":
            return qs.assigned_to(self.user)
        if value == "none":
            return qs.unassigned()
        return qs.assigned_to(value)

    def filter_overdue(self, qs, name, value: bool):
        return qs.overdue() if value else qs.not_overdue()

    def filter_open(self, qs, name, value: bool):
        return qs.open() if value else qs.not_open()

    def filter_due_within(self, qs, name, value: int):
        return qs.due_within(value)

    def filter_archived(self, qs, name, value: str):
        if value == ARCHIVED_ALL:
            return qs
        return qs.archived() if value else qs.active()

    def filter_parent(self, qs, name, value: str):
        return qs.filter(parent__isnull=True) if value == "none" else qs.filter(parent_id=value)

    def filter_search(self, qs, name, value: str):
        return qs.search(value)

    def filter_ordering(self, qs, name, value: str):
        orders = self._custom_filters()[1]
        wanted = {term.lstrip("-") for term in value if term.lstrip("-") in orders}
        if wanted:
            qs = qs.annotate(**{name: orders[name] for name in wanted})
        return qs.ordered(value)


def filter_errors(filterset: TaskFilter) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}


def filter_tasks(
    qs: QuerySet[Task], *, user, filters: Mapping | None = None, hide_archived: bool = True
) -> QuerySet[Task]:
    """Apply the task filters given as plain values to `qs`; ValidationError names bad ones.

    Archived tasks are left out unless `is_archived` is given; `hide_archived=False` leaves
    that to the caller (the admin applies each list filter on its own).
    """
    filterset = TaskFilter(
        data=_plain(filters or {}), queryset=qs, user=user, hide_archived=hide_archived
    )
    if not filterset.is_valid():
        raise ValidationError(filter_errors(filterset))
    return filterset.qs


def _plain(filters: Mapping) -> dict[str, str]:
    """Query-string dicts hold lists; repeated values of one filter mean "any of them"."""
    getlist = getattr(filters, "getlist", None)
    plain = {}
    for name in filters:
        values = getlist(name) if getlist else filters[name]
        if isinstance(values, list | tuple):
            values = ",".join(str(v) for v in values)
        elif isinstance(values, bool):
            values = "true" if values else "false"
        plain[name] = "" if values is None else str(values)
    return plain
