"""The API's door onto the one task filter set (`portal.tasks.filters.TaskFilter`).

The OpenAPI parameters say exactly what the filter set's fields take (`TASK_FILTER_SCHEMAS`),
so a client (or schemathesis) that follows the schema is never refused and one that does not
is: ids from 1 to 18 digits, the words each filter knows in any case, dates and times within
the calendar with offsets PostgreSQL can store (up to ±15:59), at most the lengths the filters
allow. An empty value means "no filter" and is allowed everywhere.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound, ValidationError

from portal.savedviews.selectors import VIEW_UNKNOWN, saved_view_for, saved_view_task_filters
from portal.tasks.choices import Priority, Status
from portal.tasks.filters import ORDERING_FIELDS, TaskFilter, filter_tasks
from portal.teams.models import TEAM_NAME_PATTERN

# `view=<id>`: a saved view's filters (docs/api.md#saved-views).
SAVED_VIEW = "view"


def with_saved_view(user, params):
    """The query's filters with the saved view it names (`view=<id>`) underneath: the view's
    filters and team, the query's own filters over them (the view's team stays). A view the
    person may not see is a 400 that says no more than an unknown id would."""
    raw = str(params.get(SAVED_VIEW, "")).strip()
    if not raw:
        return params
    saved = saved_view_for(fetched_by=user, view_id=raw)
    if saved is None:
        raise NotFound(VIEW_UNKNOWN)
    filters = saved_view_task_filters(saved)
    team = filters.pop("team", None)
    for name in params:
        if name != SAVED_VIEW:
            filters[name] = ",".join(params.getlist(name))
    if team is not None:
        filters["team"] = team
    return filters


class TaskFilterBackend(DjangoFilterBackend):
    """Filters through `filter_tasks`; the schema's parameters are `task_filter_parameters()`."""

    def filter_queryset(self, request, queryset, view):
        filters = with_saved_view(request.user, request.query_params)
        try:
            return filter_tasks(queryset, user=request.user, filters=filters)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _words(*words: str) -> str:
    return "|".join(_any_case(word) for word in words)


def _pattern(body: str) -> dict:
    return {"type": "string", "pattern": f"^(|{body})$"}


def choice_pattern(words) -> dict:
    """One of `words` in any case, or empty (the default)."""
    return _pattern(_words(*words))


ID = "[1-9][0-9]{0,17}"
# Years 1000-9998, real month days (29 February left out), offsets up to ±15:59.
_YEAR = "(1[0-9]{3}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
_DAY = "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
_TIME = (
    "T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?"
    "(Z|[+-](0[0-9]|1[0-5]):?[0-5][0-9])?"
)
MOMENT = f"{_YEAR}-{_DAY}({_TIME})?"
# 1 to 3650 (DUE_WITHIN_MAX), as the days field reads them (tests/api/test_schema.py).
DAYS = "[1-9][0-9]{0,2}|[12][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650"
BOOLEAN = _words("true", "false", "1", "0", "yes", "no", "on", "off")


def _csv_of(values) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": list(values)}}


TASK_FILTER_SCHEMAS: dict[str, dict] = {
    "team": _pattern(f"{ID}|{TEAM_NAME_PATTERN}"),
    "status": _csv_of(Status.values),
    "priority": _csv_of(Priority.values),
    "assignee": _pattern(f"{ID}|{_words('me', 'none')}"),
    "created_by": _pattern(ID),
    "tag": {"type": "string", "maxLength": 50},
    "due_after": _pattern(MOMENT),
    "due_before": _pattern(MOMENT),
    "completed_after": _pattern(MOMENT),
    "completed_before": _pattern(MOMENT),
    "overdue": _pattern(BOOLEAN),
    "open": _pattern(BOOLEAN),
    "due_within": _pattern(DAYS),
    "is_archived": _pattern(f"{BOOLEAN}|{_any_case('all')}"),
    "parent": _pattern(f"{ID}|{_any_case('none')}"),
    "search": {"type": "string", "maxLength": 200},
    "ordering": _csv_of([f"{sign}{name}" for name in ORDERING_FIELDS for sign in ("", "-")]),
}
MOMENT_HELP = " Dates and times as 2026-12-31 or 2026-12-31T17:00:00+01:00."


def task_filter_parameters() -> list[OpenApiParameter]:
    """The task list's filters as OpenAPI parameters (the list and the export share them)."""
    parameters = []
    for name, field in TaskFilter.base_filters.items():
        schema = TASK_FILTER_SCHEMAS[name]
        help_text = str(field.extra.get("help_text") or "")
        if schema.get("pattern", "").endswith(f"{MOMENT})$"):
            help_text += MOMENT_HELP
        listed = schema["type"] == "array"
        parameters.append(
            OpenApiParameter(
                name,
                schema,
                description=help_text,
                style="form" if listed else None,
                explode=False if listed else None,
            )
        )
    return parameters


SAVED_VIEW_PARAMETER = OpenApiParameter(
    SAVED_VIEW,
    _pattern(ID),
    description="A saved view's id (/api/views/): its filters apply, and the filters given "
    "here apply over them (the view's team stays).",
)


class TaskFilterBackendExtension(OpenApiFilterExtension):
    target_class = TaskFilterBackend
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        return []  # the views list `task_filter_parameters()` themselves
