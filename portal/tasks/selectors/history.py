"""A task's history: its records, what each changed, and the changes as people read them."""

from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Q, QuerySet

from portal.accounts.models import User
from portal.core.dates import show_date
from portal.core.history import history_entries
from portal.tasks.custom_show import show_value
from portal.tasks.models import CustomField, FieldType, Priority, Status, Tag, Task
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
    return split_custom_changes(history_entries(page, older, m2m=TASK_HISTORY_M2M))


CUSTOM_PREFIX = "custom_fields."


def split_custom_changes(entries: list[dict]) -> list[dict]:
    """A change of the custom values as one change per field: `custom_fields.<key>`, its
    values as stored (choice ids, user ids)."""
    for entry in entries:
        changes = []
        for change in entry["changes"]:
            if change["field"] != "custom_fields":
                changes.append(change)
                continue
            old, new = change["old"] or {}, change["new"] or {}
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    changes.append(
                        {"field": CUSTOM_PREFIX + key, "old": old.get(key), "new": new.get(key)}
                    )
        entry["changes"] = changes
    return entries


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
    entries = split_custom_changes(entries)
    wanted: dict[str, set[int]] = {"assignees": set(), "tags": set(), "parent": set()}
    custom_teams = {
        entry["record"].team_id
        for entry in entries
        if any(c["field"].startswith(CUSTOM_PREFIX) for c in entry["changes"])
    }
    definitions: dict[tuple[int, str], CustomField] = (
        {(f.team_id, f.key): f for f in CustomField.objects.filter(team_id__in=custom_teams)}
        if custom_teams
        else {}
    )
    for entry in entries:
        for change in entry["changes"]:
            field = change["field"]
            if field.startswith(CUSTOM_PREFIX):
                found = definitions.get((entry["record"].team_id, field[len(CUSTOM_PREFIX) :]))
                if found is not None and found.type == FieldType.PERSON:
                    wanted["assignees"].update(
                        v for v in (change["old"], change["new"]) if isinstance(v, int)
                    )
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
            if name.startswith(CUSTOM_PREFIX):
                key = name[len(CUSTOM_PREFIX) :]
                found = definitions.get((entry["record"].team_id, key))
                if found is None:  # the field was deleted since
                    rows.append({"field": key, "old": _text(change["old"]),
                                 "new": _text(change["new"])})  # fmt: skip
                    continue
                people = names["assignees"]
                rows.append(
                    {
                        "field": found.name,
                        "old": show_value(found, change["old"], people) or "—",
                        "new": show_value(found, change["new"], people) or "—",
                    }
                )
                continue
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
