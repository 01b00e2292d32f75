"""The board: one column per status, a page of cards each, and the columns' totals."""

from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from portal.tasks.models import Status, Task
from portal.tasks.querysets import BOARD_DONE_DAYS, done_since_q
from portal.tasks.selectors.tasks import (
    BOARD_CARD_FIELDS,
    TaskLinks,
    no_links,
    task_list,
    tasks_visible_to,
)

BOARD_COLUMNS = (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE)
# The done column shows what was finished lately, not the team's whole past.
BOARD_PAGE = 50
BOARD_ORDER = ["-priority", "due_date"]
BOARD_DONE_ORDER = ["-completed_at"]


def done_since(now=None, done_days: int = BOARD_DONE_DAYS):
    """The start of the done column's window."""
    return (now or timezone.now()) - timedelta(days=done_days)


def board_filters(team, status: str, now=None, done_days: int = BOARD_DONE_DAYS) -> dict[str, str]:
    """The task filters of one board column, as the list page and the API would write them."""
    filters = {"team": str(team.pk), "status": status}
    if status == Status.DONE:
        filters["completed_after"] = done_since(now, done_days).isoformat()
    return filters


def column_q(status: str, since) -> Q:
    """The tasks of one board column: its status, and for Done completed since `since`
    (the meaning of `board_filters`, for counting several columns in one query)."""
    return done_since_q(since) if status == Status.DONE else Q(status=status)


def board_q(since) -> Q:
    """The tasks of any column of the board."""
    shown = Q(pk__in=[])
    for status in BOARD_COLUMNS:
        shown |= column_q(status, since)
    return shown


def board_tasks(*, fetched_by, team, filters: Mapping | None = None) -> QuerySet:
    """The team's tasks that `fetched_by` may see, narrowed by the list's filters (plain values,
    as `task_list` takes them; the team is fixed). ValidationError names a bad filter."""
    given = filters.copy() if filters is not None else {}
    given["team"] = str(team.pk)
    return task_list(fetched_by=fetched_by, filters=given)


def board_counts(
    *, fetched_by, team, now=None, filters: Mapping | None = None, done_days: int = BOARD_DONE_DAYS
) -> dict[str, int]:
    """How many cards each column holds in all (one query)."""
    since = done_since(now, done_days)
    qs = board_tasks(fetched_by=fetched_by, team=team, filters=filters)
    counts = {status: Count("id", filter=column_q(status, since)) for status in BOARD_COLUMNS}
    return qs.aggregate(**counts)


def board_cards(
    *,
    fetched_by,
    team,
    status: str,
    now=None,
    offset: int = 0,
    limit: int = BOARD_PAGE,
    filters: Mapping | None = None,
    done_days: int = BOARD_DONE_DAYS,
) -> tuple[list[dict], bool]:
    """A page of one column's cards as rows of BOARD_CARD_FIELDS, and whether more follow.

    One query, any team size. Open columns put urgent and soon-due tasks first; the done column
    the latest finished. A board shows 200 cards: building and preloading model instances for
    them cost more than the queries. Take the cards' people and tags with `board_card_links`.
    `filters` are the list's (`task_list`), `done_days` the done column's window.
    """
    now = now or timezone.now()
    order = BOARD_DONE_ORDER if status == Status.DONE else BOARD_ORDER
    qs = board_tasks(fetched_by=fetched_by, team=team, filters=filters).filter(
        column_q(status, done_since(now, done_days))
    )
    rows = list(
        qs.prefetch_related(None)
        .select_related(None)
        .with_overdue(now)
        .ordered(order)
        .values(*BOARD_CARD_FIELDS)[offset : offset + limit + 1]
    )
    return rows[:limit], len(rows) > limit


def board_card(*, fetched_by, team, number: int, now=None) -> dict:
    """One card's row (BOARD_CARD_FIELDS) as the board shows it; DoesNotExist if not visible."""
    return (
        tasks_visible_to(fetched_by=fetched_by)
        .prefetch_related(None)
        .select_related(None)
        .with_overdue(now)
        .values(*BOARD_CARD_FIELDS)
        .get(team=team, number=number)
    )


def board_card_links(task_ids: Iterable[int]) -> TaskLinks:
    """Assignees `{id, username, first_name, last_name}` (by username) and tags `{name, color}`
    (by name) of these tasks, in two queries whatever their number. Every id gets both lists.
    """
    links = no_links(task_ids)
    ids = list(links)
    if not ids:
        return links
    people = (
        Task.assignees.through.objects.filter(task_id__in=ids)
        .order_by("user__username")
        .values_list("task_id", "user_id", "user__username", "user__first_name", "user__last_name")
    )
    for task_id, user_id, username, first_name, last_name in people:
        links[task_id]["assignees"].append(
            {"id": user_id, "username": username, "first_name": first_name, "last_name": last_name}
        )
    tags = (
        Task.tags.through.objects.filter(task_id__in=ids)
        .order_by("tag__name")
        .values_list("task_id", "tag__name", "tag__color")
    )
    for task_id, name, color in tags:
        links[task_id]["tags"].append({"name": name, "color": color})
    return links


def board_card_custom(team, task_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """The "shown on card" custom fields of these tasks as (name, value) pairs, by task id.

    The team's card fields are read once per request (kept on `team`); the values only when
    there are any, in one query (the cards' own query stays an index-only scan).
    """
    from portal.tasks.custom_show import show_value
    from portal.tasks.models import CustomField

    definitions = getattr(team, "_card_fields", None)
    if definitions is None:
        definitions = list(
            CustomField.objects.filter(team_id=team.pk, on_card=True, is_archived=False).order_by(
                "order", "id"
            )
        )
        team._card_fields = definitions
    ids = list(task_ids)
    if not definitions or not ids:
        return {}
    values = Task.objects.filter(pk__in=ids).values_list("id", "custom_fields")
    shown: dict[int, list[tuple[str, str]]] = {}
    people = None
    for task_id, stored in values:
        pairs = []
        for field in definitions:
            value = (stored or {}).get(field.key)
            if value is None:
                continue
            if field.type == "person" and people is None:
                from portal.tasks.custom_forms import team_people

                people = dict(team_people(team.pk))
            pairs.append((field.name, show_value(field, value, people or {})))
        if pairs:
            shown[task_id] = pairs
    return shown
