"""What a saved view keeps of a page's address: the task filter set's parameters, the team's
custom field filters, and the few parameters of a page kind that arrange the tasks (the
calendar's month or week); nothing that moves through the tasks (page, month, column).

`clean_params` only keeps and tidies (no queries, never raises): pages compare the address with
the saved views to mark the current one. `checked_params` also judges the values with the task
filter set, as the list would, so a view is saved only with filters that work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError

from portal.core.validators import text_problem
from portal.savedviews.models import PageKind
from portal.tasks.filters import CUSTOM_PARAM, TaskFilter, filter_tasks
from portal.tasks.models import Task

# My work shows the person's own tasks unless the address says otherwise; "anyone" asks for
# everyone's (an empty value would be left out of the address and mean "mine" again).
MY_WORK_DEFAULT_ASSIGNEE = "me"
ANYONE = "anyone"
# The team is the view's own (or every team of the person's, on My work), never a parameter.
FILTER_NAMES = tuple(name for name in TaskFilter.base_filters if name != "team")
# Parameters of a page kind that are not filters, with the values they take.
WORD = re.compile(r"^[a-z0-9_-]{1,40}$")
KIND_PARAMS: dict[str, dict[str, re.Pattern]] = {
    PageKind.LIST: {},
    # The board's grouping (swimlanes) and its "Done" window.
    PageKind.BOARD: {"group": WORD, "done": re.compile(r"^[0-9]{1,4}$")},
    PageKind.CALENDAR: {"view": re.compile(r"^(month|week)$")},
}
VALUE_MAX = 200
PARAMS_MAX = 60
PARAMS_INVALID = "The filters of a view are a set of names and text values."
VALUE_TOO_LONG = f"Filter {{name}}: at most {VALUE_MAX} characters."
VALUE_BAD = "Filter {name}: {problem}"
KIND_VALUE_BAD = "{name} cannot be {value!r} on this page."
TOO_MANY = f"A view keeps at most {PARAMS_MAX} filters."
FILTER_BAD = "Filter {name}: {message}"


def _known(kind: str, name: str) -> bool:
    return (
        name in FILTER_NAMES or name in KIND_PARAMS.get(kind, {}) or bool(CUSTOM_PARAM.match(name))
    )


def _values(raw: Mapping, name: str) -> list:
    getlist = getattr(raw, "getlist", None)
    values = getlist(name) if getlist else raw[name]
    return list(values) if isinstance(values, list | tuple) else [values]


def _joined(values: list) -> str | None:
    """Repeated values of one parameter mean "any of them", as commas do; None: not text."""
    if not all(isinstance(v, str) for v in values):
        return None
    return ",".join(v.strip() for v in values if v.strip())


def clean_params(kind: str, raw: Mapping) -> dict[str, str]:
    """The parameters a view of `kind` keeps, tidied; others and empty values are left out."""
    kept = {}
    for name in raw:
        if not isinstance(name, str) or not _known(kind, name):
            continue
        value = _joined(_values(raw, name))
        if value:
            kept[name] = value
    return dict(sorted(kept.items()))


def checked_params(kind: str, raw, *, user, on_my_work: bool) -> dict[str, str]:
    """`clean_params`, refusing what the page would refuse (ValidationError by `params`)."""
    if not isinstance(raw, Mapping):
        raise ValidationError({"params": [PARAMS_INVALID]})
    problems = []
    for name in raw:
        if isinstance(name, str) and _known(kind, name) and _joined(_values(raw, name)) is None:
            problems.append(PARAMS_INVALID)
    params = clean_params(kind, raw)
    if len(params) > PARAMS_MAX:
        problems.append(TOO_MANY)
    for name, value in params.items():
        problem = text_problem(value) or text_problem(name)
        if problem:
            problems.append(VALUE_BAD.format(name=name[:50], problem=problem))
        elif len(value) > VALUE_MAX:
            problems.append(VALUE_TOO_LONG.format(name=name))
        elif name in KIND_PARAMS.get(kind, {}) and not KIND_PARAMS[kind][name].match(value):
            problems.append(KIND_VALUE_BAD.format(name=name, value=value[:50]))
    if problems:
        raise ValidationError({"params": sorted(set(problems))})
    try:
        filter_tasks(Task.objects.none(), user=user, filters=view_filters(params, on_my_work))
    except ValidationError as exc:
        raise ValidationError(
            {
                "params": [
                    FILTER_BAD.format(name=name, message=message)
                    for name, messages in exc.message_dict.items()
                    for message in messages
                ]
            }
        ) from None
    return params


def view_filters(params: Mapping[str, str], on_my_work: bool) -> dict[str, str]:
    """The task filter set's values a view's parameters stand for (the team not included):
    the filters alone, and on My work the person's own tasks unless the view says "anyone"."""
    filters = {name: value for name, value in params.items() if name not in _page_only()}
    if on_my_work:
        assignee = filters.get("assignee", MY_WORK_DEFAULT_ASSIGNEE)
        if assignee == ANYONE:
            filters.pop("assignee", None)
        else:
            filters["assignee"] = assignee
    return filters


def _page_only() -> set[str]:
    return {name for names in KIND_PARAMS.values() for name in names}
