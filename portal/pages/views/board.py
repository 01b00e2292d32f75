"""The board: a column per status, cards moved by drag and drop or from a menu on the card."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from portal.savedviews.models import PageKind
from portal.tasks import permissions as task_perms
from portal.tasks.models import Status
from portal.tasks.querysets import BOARD_DONE_WINDOWS
from portal.tasks.selectors import (
    BOARD_COLUMNS,
    BOARD_PAGE,
    board_card,
    board_cards,
    board_counts,
    board_lanes,
)
from portal.tasks.services import error_text, task_add_assignees, task_update

from .. import boardstate as state
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
from .tasks import filter_context, filter_errors, list_filters

# Further pages of a column stop here: a board is for a glance, the list pages through the rest.
MAX_OFFSET = 10_000
OFFSET_INVALID = "Enter a whole number from 0 to 10000 as the offset."
STATUS_INVALID = "Choose one of the board's columns."
MOVED = "{key} moved to {column}."
TAKEN = "{key} is now assigned to you."
NOT_CHANGED = "{key} was not changed: {reason}"
MORE_LANES = "Only the first {count} lanes are shown: narrow the filters to see the others."


class MoveForm(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices, error_messages={"invalid_choice": STATUS_INVALID}
    )


def _back(request, team) -> str:
    """The board address (with its filters and view) the person is on: the page itself, or
    for a move or take the form's `next`, else the page htmx was on, else the plain board."""
    if request.method == "GET" and not request.htmx:
        return request.get_full_path()
    current = request.htmx.current_url_abs_path if request.htmx else None
    return safe_next(request, current or state.board_url(team))


def _board_context(request, team, view: state.BoardView | None = None) -> dict:
    user = request.user
    view = view or state.board_view(request.GET)
    context = team_context(user, team)
    context["statuses"] = Status.choices
    context["done_days"] = view.done_days
    context["back"] = _back(request, team)
    return context


def _column_label(status: str) -> str:
    return Status(status).label


def _columns(request, team, view, filters, now, *, with_cards: bool = True) -> list[dict]:
    """The four columns with their totals, and each its first page of cards unless the
    cards are in swimlanes."""
    user = request.user
    counts = board_counts(
        fetched_by=user, team=team, now=now, filters=filters, done_days=view.done_days
    )
    state_query = state.state_query(request.GET, view).urlencode()
    columns = []
    for status in BOARD_COLUMNS:
        rows, more = [], False
        if with_cards:
            rows, more = board_cards(
                fetched_by=user,
                team=team,
                status=status,
                now=now,
                filters=filters,
                done_days=view.done_days,
            )
        columns.append(
            {
                "status": status,
                "label": _column_label(status),
                "rows": rows,
                "more": more,
                "next_offset": BOARD_PAGE,
                "count": counts[status],
                "list_url": state.list_link(team, request.GET, status, view, now),
                "state_query": state_query,
            }
        )
    # The people and tags of all columns' cards at once (two queries for the whole board).
    shown = iter(card_views([row for column in columns for row in column["rows"]], user, team))
    for column in columns:
        column["cards"] = [next(shown) for _ in column.pop("rows")]
    return columns


def _lanes(request, team, view, filters, now) -> tuple[list[dict], bool]:
    """The swimlanes: per lane its cells (one per column) with their counts and first cards."""
    user = request.user
    found = board_lanes(
        fetched_by=user,
        team=team,
        group=view.group,
        filters=filters,
        now=now,
        done_days=view.done_days,
    )
    rows = [row for lane in found.lanes for status in BOARD_COLUMNS for row in lane.rows[status]]
    shown = iter(card_views(rows, user, team))
    lanes = []
    for index, lane in enumerate(found.lanes, start=1):
        cells = []
        for status in BOARD_COLUMNS:
            # A task with several assignees is in several lanes: each copy has its own ids.
            cards = [{**next(shown), "dom": f"{index}-{row['id']}"} for row in lane.rows[status]]
            count = lane.counts[status]
            more = count > len(cards)
            link = state.list_link(team, request.GET, status, view, now, lane.key) if more else ""
            cells.append(
                {
                    "status": status,
                    "label": _column_label(status),
                    "count": count,
                    "cards": cards,
                    "more": count - len(cards) if more else 0,
                    "list_url": link,
                }
            )
        lanes.append(
            {
                "index": index,
                "label": lane.label,
                "key": lane.key,
                "total": lane.total,
                "cells": cells,
                "parent_number": lane.parent_number,
            }
        )
    return lanes, found.more


def _empty_columns() -> list[dict]:
    return [
        {"status": s, "label": _column_label(s), "cards": [], "more": False, "count": 0}
        for s in BOARD_COLUMNS
    ]


@page_view
@require_GET
@saved_views(PageKind.BOARD)
def board(request, slug: str):
    user = request.user
    team = team_or_404(user, slug)
    view = state.board_view(request.GET)
    filters = list_filters(request, team, state.BOARD_PARAMS)
    now = timezone.now()
    current = request.GET.get("column")
    if current not in BOARD_COLUMNS:
        current = Status.TODO
    errors: list[str] = []
    lanes, more_lanes = None, False
    try:
        columns = _columns(request, team, view, filters, now, with_cards=not view.group)
        if view.group:
            lanes, more_lanes = _lanes(request, team, view, filters, now)
    except ValidationError as exc:
        errors = filter_errors(exc)
        columns, lanes = _empty_columns(), ([] if view.group else None)
    context = _board_context(request, team, view)
    context.update(filter_context(request, team, state.clear_url(team, view), state.BOARD_PARAMS))
    context.update(
        {
            "columns": columns,
            "lanes": lanes,
            "more_lanes": MORE_LANES.format(count=len(lanes)) if more_lanes else "",
            "current": current,
            "section": "board",
            "title": f"{team.name} board",
            "errors": errors,
            "notices": view.notices,
            "view": view,
            "board": True,
            "keep": state.view_inputs(view),
            "view_keep": state.filter_inputs(request.GET),
            "group_choices": list(state.GROUP_LABELS.items()),
            "done_choices": BOARD_DONE_WINDOWS,
            "state_query": state.state_query(request.GET, view).urlencode(),
        }
    )
    context.update(saved_views_context(request, team))
    return render_page(request, "teams/board.html", context)


@page_view
@require_GET
def board_more(request, slug: str, status: str):
    """The next cards of one column (htmx "show more"), with the board's filters."""
    user = request.user
    team = team_or_404(user, slug)
    if status not in BOARD_COLUMNS:
        raise Http404(STATUS_INVALID)
    raw = request.GET.get("offset", "0")
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_OFFSET:
        return bad_request(OFFSET_INVALID)
    offset = int(raw)
    view = state.board_view(request.GET)
    filters = list_filters(request, team, state.BOARD_PARAMS)
    now = timezone.now()
    try:
        rows, more = board_cards(
            fetched_by=user,
            team=team,
            status=status,
            now=now,
            offset=offset,
            filters=filters,
            done_days=view.done_days,
        )
    except ValidationError as exc:
        return bad_request(" ".join(filter_errors(exc)))
    context = _board_context(request, team, view)
    context["column"] = {
        "status": status,
        "cards": card_views(rows, user, team),
        "more": more,
        "next_offset": offset + BOARD_PAGE,
        "list_url": state.list_link(team, request.GET, status, view, now),
        "state_query": state.state_query(request.GET, view).urlencode(),
    }
    return render(request, "teams/_board_cards.html", context)


def _done(request, team, text: str) -> HttpResponse | None:
    """The answer after a move or take, when it is not the card in place: back to the board
    address the person was on (its filters and lanes kept), saying what happened."""
    back = _back(request, team)
    if request.htmx and state.is_plain(back):
        return None
    messages.success(request, text)
    if request.htmx:
        # A filtered or grouped board is read again: the card may leave it or change lanes.
        return HttpResponseClientRefresh()
    return redirect(back, permanent=False)


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
    moved = MOVED.format(key=task.key, column=_column_label(task.status))
    answer = _done(request, team, moved)
    if answer is not None:
        return answer
    now = timezone.now()
    fresh = _reload(user, team, task.number, now)
    context = _board_context(request, team)
    context.update(
        {
            "task": fresh,
            "counts": board_counts(fetched_by=user, team=team, now=now),
            "message": moved,
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
    answer = _done(request, team, TAKEN.format(key=task.key))
    if answer is not None:
        return answer
    context = _board_context(request, team)
    context.update(
        {"task": _reload(user, team, number, timezone.now()), "message": TAKEN.format(key=task.key)}
    )
    return render(request, "teams/_taken.html", context)


def _reload(user, team, number: int, now) -> dict:
    """The task's card as the board shows it (assignees, tags, overdue flag)."""
    card = board_card(fetched_by=user, team=team, number=number, now=now)
    return card_views([card], user, team)[0]
