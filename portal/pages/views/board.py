"""The board: a column per status, cards moved by drag and drop or from a menu on the card."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portal.savedviews.models import PageKind
from portal.tasks import permissions as task_perms
from portal.tasks.models import Status
from portal.tasks.querysets import BOARD_DONE_DAYS
from portal.tasks.selectors import (
    BOARD_COLUMNS,
    BOARD_PAGE,
    board_card,
    board_cards,
    board_counts,
)
from portal.tasks.services import error_text, task_add_assignees, task_update

from ..cards import cards as card_views
from ..saved_views import saved_views, saved_views_context
from .base import (
    bad_request,
    page_view,
    render_page,
    safe_next,
    team_context,
    team_or_404,
    team_task_or_404,
)

# Further pages of a column stop here: a board is for a glance, the list pages through the rest.
MAX_OFFSET = 10_000
OFFSET_INVALID = "Enter a whole number from 0 to 10000 as the offset."
STATUS_INVALID = "Choose one of the board's columns."
MOVED = "{key} moved to {column}."
TAKEN = "{key} is now assigned to you."
NOT_CHANGED = "{key} was not changed: {reason}"


class MoveForm(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices, error_messages={"invalid_choice": STATUS_INVALID}
    )


def _board_context(request, team) -> dict:
    user = request.user
    context = team_context(user, team)
    context["statuses"] = Status.choices
    context["done_days"] = BOARD_DONE_DAYS
    return context


def _column_label(status: str) -> str:
    return Status(status).label


@page_view
@require_GET
@saved_views(PageKind.BOARD)
def board(request, slug: str):
    user = request.user
    team = team_or_404(user, slug)
    now = timezone.now()
    counts = board_counts(fetched_by=user, team=team, now=now)
    current = request.GET.get("column")
    if current not in BOARD_COLUMNS:
        current = Status.TODO
    columns = []
    for status in BOARD_COLUMNS:
        rows, more = board_cards(fetched_by=user, team=team, status=status, now=now)
        columns.append(
            {
                "status": status,
                "label": _column_label(status),
                "rows": rows,
                "more": more,
                "next_offset": BOARD_PAGE,
                "count": counts[status],
            }
        )
    # The people and tags of all columns' cards at once (two queries for the whole board).
    shown = iter(card_views([row for column in columns for row in column["rows"]], user, team))
    for column in columns:
        column["cards"] = [next(shown) for _ in column.pop("rows")]
    context = _board_context(request, team)
    context.update(
        {"columns": columns, "current": current, "section": "board", "title": f"{team.name} board"}
    )
    context.update(saved_views_context(request, team))
    return render_page(request, "teams/board.html", context)


@page_view
@require_GET
def board_more(request, slug: str, status: str):
    """The next cards of one column (htmx "show more")."""
    user = request.user
    team = team_or_404(user, slug)
    if status not in BOARD_COLUMNS:
        raise Http404(STATUS_INVALID)
    raw = request.GET.get("offset", "0")
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_OFFSET:
        return bad_request(OFFSET_INVALID)
    offset = int(raw)
    rows, more = board_cards(fetched_by=user, team=team, status=status, offset=offset)
    context = _board_context(request, team)
    context["column"] = {
        "status": status,
        "cards": card_views(rows, user, team),
        "more": more,
        "next_offset": offset + BOARD_PAGE,
    }
    return render(request, "teams/_board_cards.html", context)


def _back(request, team) -> HttpResponse:
    return redirect(safe_next(request, reverse("pages:board", args=[team.slug])), permanent=False)


@page_view
@require_POST
def move(request, slug: str, number: int):
    """Set a task's status (the card's column); members and leads, through task_update."""
    user = request.user
    team, task = team_task_or_404(user, slug, number, rule=task_perms.EDIT_TASK)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return bad_request(STATUS_INVALID)
    try:
        task = task_update(actor=user, task=task, status=form.cleaned_data["status"])
    except ValidationError as exc:
        return bad_request(NOT_CHANGED.format(key=task.key, reason=error_text(exc)))
    if not request.htmx:
        return _back(request, team)
    now = timezone.now()
    fresh = _reload(user, team, task.number, now)
    context = _board_context(request, team)
    context.update(
        {
            "task": fresh,
            "counts": board_counts(fetched_by=user, team=team, now=now),
            "message": MOVED.format(key=task.key, column=_column_label(task.status)),
        }
    )
    return render(request, "teams/_moved.html", context)


@page_view
@require_POST
def take(request, slug: str, number: int):
    """Assign the task to me as well (task_add_assignees keeps the other assignees); only
    where `task_take_refusal` allows, the rule that also decides which cards offer Take."""
    user = request.user
    team, task = team_task_or_404(user, slug, number, rule=task_perms.EDIT_TASK)
    refusal = task_perms.task_take_refusal(user, task)
    # Taking a task that is mine already (a second click, two tabs) changes nothing and is fine.
    if refusal and refusal != task_perms.TAKE_MINE:
        return bad_request(NOT_CHANGED.format(key=task.key, reason=refusal))
    try:
        task_add_assignees(actor=user, task=task, assignees=[user])
    except ValidationError as exc:
        return bad_request(NOT_CHANGED.format(key=task.key, reason=error_text(exc)))
    if not request.htmx:
        return _back(request, team)
    context = _board_context(request, team)
    context.update(
        {"task": _reload(user, team, number, timezone.now()), "message": TAKEN.format(key=task.key)}
    )
    return render(request, "teams/_taken.html", context)


def _reload(user, team, number: int, now) -> dict:
    """The task's card as the board shows it (assignees, tags, overdue flag)."""
    card = board_card(fetched_by=user, team=team, number=number, now=now)
    return card_views([card], user, team)[0]
