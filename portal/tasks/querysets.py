"""The task query vocabulary: what "open", "overdue", "due soon" and the rest mean, written once.

`Task.objects` is a `TaskQuerySet`, so every door says `tasks.open().overdue()` instead of
re-stating the conditions. Aggregates (dashboards, reports) need the same meanings as `Q`
objects for `Count(..., filter=...)`: the `*_q` functions return them and the methods use them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.utils import timezone

from portal.tasks.choices import PRIORITY_RANK, Status
from portal.tasks.keys import parse_task_key
from portal.teams.models import Team

# Fields that may be empty: they sort last whichever the direction, on every database.
NULLABLE_ORDER_FIELDS = frozenset({"due_date", "completed_at", "estimated_hours", "actual_hours"})


# The portal's named windows: "due soon" on the dashboard, the home page and the reports;
# "recently done" on the dashboard and the reports; the board's done column.
DUE_SOON_DAYS = 7
RECENTLY_DONE_DAYS = 7
BOARD_DONE_DAYS = 14
# The windows a person may choose for the board's Done column (days).
BOARD_DONE_WINDOWS = (7, 14, 30, 90)


def active_q(prefix: str = "") -> Q:
    """Not archived. `prefix` reaches tasks through a relation (`"assigned_tasks__"`)."""
    return Q(**{f"{prefix}is_archived": False})


def open_q(prefix: str = "") -> Q:
    """Not done and not archived."""
    return active_q(prefix) & ~Q(**{f"{prefix}status": Status.DONE})


def overdue_q(now: datetime | None = None, prefix: str = "") -> Q:
    """Open and past its due date."""
    return open_q(prefix) & Q(**{f"{prefix}due_date__lt": now or timezone.now()})


def due_within_q(days: int, now: datetime | None = None, prefix: str = "") -> Q:
    """Open and due from now until `days` days from now."""
    now = now or timezone.now()
    return open_q(prefix) & Q(
        **{f"{prefix}due_date__gte": now, f"{prefix}due_date__lt": now + timedelta(days=days)}
    )


def done_since_q(since: datetime, until: datetime | None = None, prefix: str = "") -> Q:
    """Done, and completed at or after `since` (and before `until` when given)."""
    cond = Q(**{f"{prefix}status": Status.DONE, f"{prefix}completed_at__gte": since})
    if until is not None:
        cond &= Q(**{f"{prefix}completed_at__lt": until})
    return cond


def open_at_q(moment: datetime, prefix: str = "") -> Q:
    """Open at a past `moment`, as far as the task's own times tell: created before it, and
    neither completed nor archived before it (a task reopened later counts as open all along)."""
    return (
        Q(**{f"{prefix}created_at__lt": moment})
        & ~Q(**{f"{prefix}completed_at__lt": moment})
        & ~Q(**{f"{prefix}archived_at__lt": moment})
    )


def overdue_at_q(moment: datetime, prefix: str = "") -> Q:
    """Open at `moment` and due before it (by the due date the task has now)."""
    return open_at_q(moment, prefix) & Q(**{f"{prefix}due_date__lt": moment})


def priority_rank() -> Case:
    """An integer per priority (urgent highest) for sorting; the text values sort wrongly."""
    ranks = [When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()]
    return Case(*ranks, default=Value(0), output_field=IntegerField())


def order_by_term(term: str) -> OrderBy:
    """One ordering term ("-due_date") as an expression; empty values last in both directions.

    SQLite would put empty values first and PostgreSQL last: laptop and server must agree.
    """
    descending = term.startswith("-")
    name = term.lstrip("-")
    # Custom fields (`cf_<key>`, annotated by the filter set) are empty on many tasks.
    nulls_last = True if name in NULLABLE_ORDER_FIELDS or name.startswith("cf_") else None
    return OrderBy(F(name), descending=descending, nulls_last=nulls_last)


def order_terms(terms: list[str]) -> list[OrderBy]:
    """Ordering terms ("-due_date", "priority", ...) as expressions, with the tasks' rules.

    Priority sorts by rank (needs `with_priority_rank()`), empty values go last, and the id
    breaks ties so that pages are stable.
    """
    ordering = []
    for term in terms:
        if term.lstrip("-") == "priority":
            term = term.replace("priority", "priority_rank")
        ordering.append(order_by_term(term))
    if not any(term.lstrip("-") in ("id", "pk") for term in terms):
        ordering.append(OrderBy(F("id"), descending=True))
    return ordering


class TaskQuerySet(QuerySet):
    def active(self) -> TaskQuerySet:
        """Not archived."""
        return self.filter(active_q())

    def archived(self) -> TaskQuerySet:
        return self.filter(is_archived=True)

    def open(self) -> TaskQuerySet:
        """Not done and not archived."""
        return self.filter(open_q())

    def not_open(self) -> TaskQuerySet:
        """Done or archived."""
        return self.exclude(open_q())

    def overdue(self, now: datetime | None = None) -> TaskQuerySet:
        """Open and past its due date."""
        return self.filter(overdue_q(now))

    def not_overdue(self, now: datetime | None = None) -> TaskQuerySet:
        return self.exclude(overdue_q(now))

    def due_within(self, days: int, now: datetime | None = None) -> TaskQuerySet:
        """Open and due from now until `days` days from now."""
        return self.filter(due_within_q(days, now))

    def done_since(self, since: datetime, until: datetime | None = None) -> TaskQuerySet:
        return self.filter(done_since_q(since, until))

    def assigned_to(self, user) -> TaskQuerySet:
        return self.filter(assignees=user)

    def unassigned(self) -> TaskQuerySet:
        return self.filter(assignees=None)

    def search(self, text: str) -> TaskQuerySet:
        """A key such as OPS-42 exactly, otherwise words in the title or description."""
        text = (text or "").strip()
        if not text:
            return self
        cond = Q(title__icontains=text) | Q(description__icontains=text)
        key = parse_task_key(text)
        if key:
            # The team's id as a scalar subquery (run once), so every branch is on the tasks
            # table and PostgreSQL can combine its indexes (trigram for words, team+number).
            team_id = Team.objects.filter(key=key[0]).values("pk")[:1]
            cond |= Q(team_id=team_id, number=key[1])
        return self.filter(cond)

    def with_keys(self, keys: Iterable[str]) -> TaskQuerySet:
        """The tasks whose keys (OPS-42) are among `keys`; other strings are ignored."""
        numbers: dict[str, set[int]] = {}
        for text in keys:
            key = parse_task_key(text)
            if key:
                numbers.setdefault(key[0], set()).add(key[1])
        cond = Q(pk__in=[])
        for team_key, team_numbers in numbers.items():
            cond |= Q(team__key=team_key, number__in=sorted(team_numbers))
        return self.filter(cond)

    def with_overdue(self, now: datetime | None = None) -> TaskQuerySet:
        """Each task with `is_overdue` (the meaning of `overdue_q`), for pages that mark them."""
        return self.annotate(
            is_overdue=ExpressionWrapper(overdue_q(now), output_field=BooleanField())
        )

    def with_priority_rank(self) -> TaskQuerySet:
        return self.annotate(priority_rank=priority_rank())

    def ordered(self, terms: list[str]) -> TaskQuerySet:
        """Order by `terms` with the rules of `order_terms` (priority by rank, empties last)."""
        qs = self
        if any(term.lstrip("-") == "priority" for term in terms):
            qs = qs.with_priority_rank()
        return qs.order_by(*order_terms(terms))


def unassigned_q(prefix: str = "") -> Q:
    """Nobody assigned (the meaning of `TaskQuerySet.unassigned`), for aggregates.

    Written as NOT EXISTS rather than a join to the assignees, so counting tasks with it next
    to other counts repeats no task once per assignee.
    """
    from django.apps import apps  # the task model's module imports this one
    from django.db.models import Exists, OuterRef

    links = apps.get_model("tasks", "Task").assignees.through.objects
    return Q(~Exists(links.filter(task_id=OuterRef(f"{prefix}pk"))))
