"""The task list: the API's filters, search and ordering (TaskFilter) with the team fixed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.views.decorators.http import require_GET

from portal.tasks.choices import Priority, Status
from portal.tasks.filters import ORDERING_FIELDS
from portal.tasks.selectors import tags_visible_to, task_list
from portal.teams.selectors import assignable_people

from .base import page_view, render_page, team_context, team_or_404

PAGE_SIZE = 25
MAX_PAGE = 100_000
PAGE_INVALID = "Enter a page number from 1 to 100000."
FILTER_ERROR = "Filter {name}: {message}"
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


def _page_number(raw: str | None) -> int | None:
    raw = (raw or "1").strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        return None
    return int(raw)


def _chosen(request, name: str) -> list[str]:
    """The values of a multi-value filter as given: repeated, comma-separated, or both."""
    return [part.strip() for value in request.GET.getlist(name) for part in value.split(",")]


@page_view
@require_GET
def task_list_page(request, slug: str):
    user = request.user
    team = team_or_404(user, slug)
    filters = request.GET.copy()
    for name in (*PAGE_PARAMS, "team"):
        filters.pop(name, None)
    # The team is fixed by the address; everything else is the API's filter set, unchanged.
    filters["team"] = str(team.pk)
    errors: list[str] = []
    page = _page_number(request.GET.get("page"))
    if page is None:
        errors.append(PAGE_INVALID)
    tasks, has_next = [], False
    if not errors:
        try:
            qs = task_list(fetched_by=user, filters=filters).with_overdue()
            start = (page - 1) * PAGE_SIZE
            # One row more than a page tells whether a next page exists, without a COUNT.
            rows = list(qs[start : start + PAGE_SIZE + 1])
            tasks, has_next = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
        except ValidationError as exc:
            errors = [
                FILTER_ERROR.format(name=name, message=message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
    filtered = any(k not in (*PAGE_PARAMS, "search", "team") and v for k, v in request.GET.items())
    context = team_context(user, team)
    context.update(
        {
            "section": "list",
            "title": f"{team.name} tasks",
            "tasks": tasks,
            "errors": errors,
            "page": page or 1,
            "has_next": has_next,
            "filtered": filtered,
            "people": assignable_people(fetched_by=user, team_ids=[team.pk]).only(
                "id", "username", "first_name", "last_name"
            ),
            "tags": tags_visible_to(fetched_by=user).only("id", "name"),
            "statuses": Status.choices,
            "priorities": Priority.choices,
            "orderings": ORDERINGS,
            "ordering_fields": ORDERING_FIELDS,
            "chosen": {
                "status": _chosen(request, "status"),
                "priority": _chosen(request, "priority"),
            },
            "values": request.GET,
        }
    )
    return render_page(request, "teams/task_list.html", context)
