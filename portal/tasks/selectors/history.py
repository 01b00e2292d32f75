"""A task's history: its records, what each changed, and the changes as people read them."""

from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Q, QuerySet

from portal.accounts.models import User
from portal.core.dates import show_date
from portal.core.history import history_entries
from portal.tasks.models import Priority, Status, Tag, Task
from portal.tasks.repeat import FROM_CHOICES
from portal.tasks.selectors.tasks import TASK_HISTORY_M2M


def task_history(task: Task) -> QuerySet:
    """Change records, newest first, with who made each change and the many-to-many rows."""
    return (
        task.history.select_related("history_user")
        .prefetch_related(*(relation for relation, _ in TASK_HISTORY_M2M.values()))
        .order_by("-history_date", "-history_id")
    )


def task_history_entries(records: QuerySet, page: Sequence) -> list[dict]:
    """The change records of `page` (a slice of `records`, newest first) with what changed.

    The one diff of a task's history: the API, the admin's history page and the activity feed
    show these. Two queries and the prefetches, whatever the page size.
    """
    page = list(page)
    older = None
    if page:
        last = page[-1]
        older = records.filter(
            Q(history_date__lt=last.history_date)
            | Q(history_date=last.history_date, history_id__lt=last.history_id)
        ).first()
    return history_entries(page, older, m2m=TASK_HISTORY_M2M)


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return show_date(value, with_time=isinstance(value, datetime))
    return str(value)


def history_readable(entries: list[dict]) -> list[list[dict]]:
    """Each entry's changes as people read them: field labels, choice labels, names and keys.

    Ids of people, tags and parent tasks are resolved in at most three queries for all entries.
    """
    wanted: dict[str, set[int]] = {"assignees": set(), "tags": set(), "parent": set()}
    for entry in entries:
        for change in entry["changes"]:
            if change["field"] in wanted:
                for value in (change["old"], change["new"]):
                    values = value if isinstance(value, list) else [value]
                    wanted[change["field"]].update(v for v in values if isinstance(v, int))
    names = {
        "assignees": dict(
            User.objects.filter(pk__in=wanted["assignees"]).values_list("pk", "username")
        )
        if wanted["assignees"]
        else {},
        "tags": dict(Tag.objects.filter(pk__in=wanted["tags"]).values_list("pk", "name"))
        if wanted["tags"]
        else {},
        "parent": {
            t.pk: t.key
            for t in Task.objects.filter(pk__in=wanted["parent"])
            .select_related("team")
            .only("id", "number", "team__key")
        }
        if wanted["parent"]
        else {},
    }
    choices = {
        "status": dict(Status.choices),
        "priority": dict(Priority.choices),
        "repeat_from": dict(FROM_CHOICES),
    }

    def show(field: str, value) -> str:
        if field in names:
            values = value if isinstance(value, list) else [value]
            shown = [names[field].get(v, f"#{v}") for v in values if v is not None]
            return ", ".join(shown) or "—"
        if field in choices:
            return str(choices[field].get(value, value))
        return _text(value)

    readable = []
    for entry in entries:
        rows = []
        for change in entry["changes"]:
            name = change["field"]
            label = Task._meta.get_field(name).verbose_name
            rows.append(
                {
                    "field": str(label),
                    "old": show(name, change["old"]),
                    "new": show(name, change["new"]),
                }
            )
        readable.append(rows)
    return readable
