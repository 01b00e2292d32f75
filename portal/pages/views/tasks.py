"""The task lists: a team's (`/teams/<slug>/tasks/`) and My work (`/tasks/`, every team of mine,
assigned to me unless the person asks otherwise). Both are the API's filters, search and
ordering (TaskFilter) on the tasks the person may see; a team's list fixes the team.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from portal.pages.tasklist import count_capped, count_text, sort_columns
from portal.savedviews.models import PageKind
from portal.savedviews.params import ANYONE, MY_WORK_DEFAULT_ASSIGNEE
from portal.spreadsheets.services import sheet_export
from portal.tasks import permissions as task_perms
from portal.tasks.choices import Priority, Status
from portal.tasks.custom_fields import fields_of
from portal.tasks.custom_forms import team_people
from portal.tasks.filters import ORDERING_FIELDS
from portal.tasks.models import FieldType
from portal.tasks.selectors import tags_visible_to, task_list
from portal.teams.models import Team
from portal.teams.permissions import team_ids_for
from portal.teams.selectors import assignable_people

from ..saved_views import SAVED, saved_views, saved_views_context
from .base import bad_request, page_view, render_page, team_context, team_or_404

PAGE_SIZE = 25
MAX_PAGE = 100_000
PAGE_INVALID = "Enter a page number from 1 to 100000."
FILTER_ERROR = "Filter {name}: {message}"
EXPORT_STARTED = "Exporting {rows} tasks in the background."
# Orderings offered in the list's menu; any other TaskFilter ordering works in the URL too.
ORDERINGS = [
    ("", "Newest first"),
    ("due_date", "Due soonest"),
    ("-priority", "Priority, highest first"),
    ("-updated_at", "Recently changed"),
    ("number", "Key"),
    ("title", "Title"),
]
# Parameters that belong to the page, not to the filter set.
PAGE_PARAMS = ("page",)
FILE_FORMATS = ("csv", "xlsx")


def _page_number(raw: str | None) -> int | None:
    raw = (raw or "1").strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        return None
    return int(raw)


def _chosen(request, name: str) -> list[str]:
    """The values of a multi-value filter as given: repeated, comma-separated, or both."""
    return [part.strip() for value in request.GET.getlist(name) for part in value.split(",")]


def _assignee(request, team: Team | None) -> str:
    """The assignee filter as the page shows it: as given, else "me" on My work."""
    return request.GET.get("assignee", "" if team else MY_WORK_DEFAULT_ASSIGNEE)


def list_filters(
    request, team: Team | None, page_params: tuple[str, ...] = PAGE_PARAMS
) -> QueryDict:
    """The filter set's values for the list: the address's, with the team fixed by a team's
    address, and My work's assignee default; `page_params` belong to the page."""
    filters = request.GET.copy()
    for name in page_params:
        filters.pop(name, None)
    if team is not None:
        # The team is fixed by the address; everything else is the API's filter set, unchanged.
        filters["team"] = str(team.pk)
    assignee = _assignee(request, team)
    if assignee in ("", ANYONE):
        filters.pop("assignee", None)
    else:
        filters["assignee"] = assignee
    return filters


def filter_errors(exc: ValidationError) -> list[str]:
    return [
        FILTER_ERROR.format(name=name, message=message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def list_people(user, team: Team | None):
    """The people the list's assignee filter and bulk edit offer: the team's, or my teams'."""
    team_ids = [team.pk] if team is not None else team_ids_for(user)
    return assignable_people(fetched_by=user, team_ids=team_ids).only(
        "id", "username", "first_name", "last_name"
    )


def custom_orderings(definitions) -> list[tuple[str, str]]:
    return [(f"cf_{f.key}", f.name) for f in definitions]


def custom_filters(definitions, values, team) -> list[dict]:
    """The list's filter controls for the team's custom fields: a choice of values for
    choices, people and ticks; from and to for numbers and dates; a box for text."""
    people = None
    controls = []
    for field in definitions:
        name = f"cf_{field.key}"
        control = {"name": name, "label": field.name, "value": values.get(name, "")}
        if field.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
            control["options"] = [(c["label"], c["label"]) for c in field.choices]
        elif field.type == FieldType.CHECKBOX:
            control["options"] = [("yes", "Ticked"), ("no", "Not ticked")]
        elif field.type == FieldType.PERSON:
            if people is None:
                people = team_people(team.pk)
            control["options"] = [(username, username) for _, username in people]
        elif field.type in (FieldType.NUMBER, FieldType.DATE):
            control["range"] = "date" if field.type == FieldType.DATE else "text"
            control["from"] = (f"{name}__gte", values.get(f"{name}__gte", ""))
            control["to"] = (f"{name}__lte", values.get(f"{name}__lte", ""))
        controls.append(control)
    return controls


def list_url(team: Team | None) -> str:
    return reverse("pages:task_list", args=[team.slug]) if team else reverse("pages:my_work")


def _rows(user, filters, page: int) -> tuple[list, bool, int]:
    """A page of tasks, whether a next page exists (one row more, not a count), and the
    total (counted up to the cap)."""
    qs = task_list(fetched_by=user, filters=filters)
    start = (page - 1) * PAGE_SIZE
    rows = list(qs.with_overdue()[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE, count_capped(qs)


def filter_context(
    request, team: Team | None, clear_url: str, page_params: tuple[str, ...] = PAGE_PARAMS
) -> dict:
    """What the list's filter form (`teams/_task_filters.html`) shows: the choices and the
    values given; the calendars show the same form. `clear_url`: where "Clear" goes."""
    fixed = (*page_params, SAVED, "search", "team", *(() if team else ("assignee",)))
    # The team's custom fields filter the list (cf_<key>) and order it.
    custom = fields_of(team.pk) if team is not None else []
    return {
        "filtered": any(k not in fixed and v for k, v in request.GET.items()),
        "custom_definitions": custom,
        "custom_filters": custom_filters(custom, request.GET, team),
        "people": list_people(request.user, team),
        "tags": tags_visible_to(fetched_by=request.user).only("id", "name"),
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "chosen": {
            "status": _chosen(request, "status"),
            "priority": _chosen(request, "priority"),
        },
        "values": request.GET,
        "assignee": _assignee(request, team),
        "anyone": "" if team else ANYONE,
        "list_url": clear_url,
    }


def list_context(request, team: Team | None) -> dict:
    """Everything a task list shows; `team` None is My work."""
    user = request.user
    errors: list[str] = []
    page = _page_number(request.GET.get("page"))
    if page is None:
        errors.append(PAGE_INVALID)
    tasks, has_next, total = [], False, None
    if not errors:
        try:
            tasks, has_next, total = _rows(user, list_filters(request, team), page)
        except ValidationError as exc:
            errors = filter_errors(exc)
    editable = {task.pk for task in tasks if task_perms.can_edit_task(user, task)}
    # The "a" shortcut's take, where the rule allows it (assignees are preloaded: no query).
    takeable = {task.pk for task in tasks if task_perms.can_take_task(user, task)}
    context = team_context(user, team) if team else {"section": "my_work"}
    context.update(filter_context(request, team, list_url(team)))
    context.update(
        {
            "title": f"{team.name} tasks" if team else "My work",
            "tasks": tasks,
            "errors": errors,
            "page": page or 1,
            "has_next": has_next,
            "total_text": count_text(total) if total is not None else "",
            "orderings": [*ORDERINGS, *custom_orderings(context["custom_definitions"])],
            "ordering_fields": ORDERING_FIELDS,
            "columns": sort_columns(request.GET.get("ordering", ""), with_team=team is None),
            "editable": editable,
            "takeable": takeable,
        }
    )
    return context


@page_view
@require_GET
@saved_views(PageKind.LIST)
def task_list_page(request, slug: str):
    team = team_or_404(request.user, slug)
    context = list_context(request, team)
    context["section"] = "list"
    context.update(saved_views_context(request, team))
    return render_page(request, "teams/task_list.html", context)


@page_view
@require_GET
@saved_views(PageKind.LIST)
def my_work(request):
    context = list_context(request, None)
    context.update(saved_views_context(request, None))
    return render_page(request, "teams/task_list.html", context)


@page_view
@require_GET
def export(request, fmt: str, slug: str | None = None):
    """The list as filtered (every page) as CSV or XLSX; a big one is written in the
    background and its page says when the file is ready."""
    user = request.user
    team = team_or_404(user, slug) if slug else None
    if fmt not in FILE_FORMATS:
        raise Http404(fmt)
    filters = list_filters(request, team)
    try:
        queryset = task_list(fetched_by=user, filters=filters)
    except ValidationError as exc:
        return bad_request(" ".join(filter_errors(exc)))
    # A background job reads the filters again as plain values.
    plain = {k: ",".join(filters.getlist(k)) for k in filters if filters.get(k) != ""}
    stem = f"{team.slug}-tasks" if team else "my-work"
    sheet = sheet_export(user=user, sheet="tasks", fmt=fmt, rows=queryset, filters=plain, stem=stem)
    if sheet.job is None:
        return sheet.response()
    messages.info(request, EXPORT_STARTED.format(rows=sheet.rows))
    return redirect("pages:export_job", job_id=sheet.job.pk)
