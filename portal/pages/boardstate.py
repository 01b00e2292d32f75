"""What a board's address asks for besides the list's filters: swimlanes (`group`), the Done
column's window (`done`), the column a phone shows (`column`); and the addresses built from it.

The filters themselves are the list's (`list_filters`, `filter_context` in views/tasks.py):
the board only carries them along.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django import forms
from django.http import QueryDict
from django.urls import reverse

from portal.tasks.querysets import BOARD_DONE_DAYS, BOARD_DONE_WINDOWS
from portal.tasks.selectors import BOARD_GROUPS, board_filters, lane_filter

# Parameters that belong to the board, not to the filter set.
BOARD_PARAMS = ("page", "column", "group", "done", "offset")
# Kept in the address when the filters change (the filter form carries them).
VIEW_PARAMS = ("group", "done")
GROUP_LABELS = {"": "None", "assignee": "Assignee", "priority": "Priority", "parent": "Parent task"}
GROUP_INVALID = (
    "Swimlanes can be by assignee, priority or parent task: the board is shown without them."
)
DONE_INVALID = (
    "The Done column can show the last "
    + ", ".join(str(d) for d in BOARD_DONE_WINDOWS[:-1])
    + f" or {BOARD_DONE_WINDOWS[-1]} days: it shows the last {BOARD_DONE_DAYS}."
)


class BoardViewForm(forms.Form):
    group = forms.ChoiceField(
        choices=[("", "None"), *((g, GROUP_LABELS[g]) for g in BOARD_GROUPS)],
        required=False,
        error_messages={"invalid_choice": GROUP_INVALID},
    )
    done = forms.TypedChoiceField(
        choices=[(str(days), f"Last {days} days") for days in BOARD_DONE_WINDOWS],
        coerce=int,
        required=False,
        empty_value=BOARD_DONE_DAYS,
        error_messages={"invalid_choice": DONE_INVALID},
    )


@dataclass
class BoardView:
    group: str = ""
    done_days: int = BOARD_DONE_DAYS
    # Why a value of the address was not used (the board falls back to the default).
    notices: list[str] = field(default_factory=list)


def board_view(query: QueryDict) -> BoardView:
    """The grouping and Done window asked for; a bad value falls back, with a notice."""
    form = BoardViewForm(query)
    form.is_valid()
    view = BoardView(
        group=form.cleaned_data.get("group") or "",
        done_days=form.cleaned_data.get("done") or BOARD_DONE_DAYS,
    )
    view.notices = [message for messages in form.errors.values() for message in messages]
    return view


def filter_query(query: QueryDict) -> QueryDict:
    """The address's filters, without the board's own parameters."""
    kept = query.copy()
    for name in BOARD_PARAMS:
        kept.pop(name, None)
    return kept


def state_query(query: QueryDict, view: BoardView) -> QueryDict:
    """The filters and the board's chosen view (no column, no offset): what a board address
    keeps when moving between columns or pages of cards."""
    kept = filter_query(query)
    if view.group:
        kept["group"] = view.group
    if view.done_days != BOARD_DONE_DAYS:
        kept["done"] = str(view.done_days)
    return kept


def view_inputs(view: BoardView) -> list[tuple[str, str]]:
    """Hidden inputs that keep the board's view when the filter form is applied."""
    return list(state_query(QueryDict(), view).items())


def filter_inputs(query: QueryDict) -> list[tuple[str, str]]:
    """Hidden inputs that keep the filters when the view form is applied."""
    return [(name, value) for name, values in filter_query(query).lists() for value in values]


def board_url(team, query: QueryDict | None = None) -> str:
    url = reverse("pages:board", args=[team.slug])
    return f"{url}?{query.urlencode()}" if query else url


def clear_url(team, view: BoardView) -> str:
    """The board without filters, in the same view (the filter form's "Clear")."""
    return board_url(team, state_query(QueryDict(), view))


def list_link(team, query: QueryDict, status: str, view: BoardView, now, lane=None) -> str:
    """The team's list with the board's filters, one column's status and window, and a
    lane's filter: where a column's or a cell's further cards are."""
    kept = filter_query(query)
    wanted = board_filters(team, status, now, view.done_days)
    wanted.pop("team")  # the list's address fixes the team
    if lane is not None:
        wanted.update(lane_filter(view.group, lane))
    for name, value in wanted.items():
        kept[name] = value
    return f"{reverse('pages:task_list', args=[team.slug])}?{kept.urlencode()}"


def is_plain(address: str) -> bool:
    """A board address without filters, swimlanes or a chosen window (a phone's column
    aside): a moved card can be put in its new column in place; any other board reloads."""
    query = QueryDict(urlsplit(address).query)
    return not state_query(query, board_view(query))
