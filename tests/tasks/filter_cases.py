"""One table of task filters and the rows each must return, checked at every door.

Keys are the `filter_world` fixture's rows; values are query-string values (callables take the
fixture's rows, for ids and times).
"""

from datetime import timedelta

from portal.tasks import filter_fields as f

ACTIVE = {"late", "soon", "nodate", "done", "child"}

# (filters, rows the member of OPS must get back)
CASES = [
    ({}, ACTIVE),
    ({"status": "todo"}, {"late", "child"}),
    ({"status": "todo,blocked"}, {"late", "nodate", "child"}),
    ({"status": " TODO , blocked ,"}, {"late", "nodate", "child"}),
    ({"priority": "urgent"}, {"late"}),
    ({"priority": "high,low"}, {"soon", "nodate"}),
    ({"assignee": "me"}, {"late"}),
    ({"assignee": "none"}, {"nodate", "child"}),
    ({"assignee": lambda w: w["soon"].assignees.get().pk}, {"soon", "done"}),
    ({"tag": "billing"}, {"late"}),
    ({"tag": "BILLING"}, {"late"}),
    ({"overdue": "true"}, {"late"}),
    ({"overdue": "false"}, {"soon", "nodate", "done", "child"}),
    ({"open": "true"}, {"late", "soon", "nodate", "child"}),
    ({"open": "false"}, {"done"}),
    ({"open": "false", "is_archived": "all"}, {"done", "old"}),
    ({"due_within": "7"}, {"soon"}),
    ({"due_within": "30"}, {"soon", "child"}),
    ({"due_within": "1"}, set()),
    ({"is_archived": "true"}, {"old"}),
    ({"is_archived": "false"}, ACTIVE),
    ({"is_archived": "all"}, ACTIVE | {"old"}),
    ({"parent": "none"}, {"late", "soon", "nodate", "done"}),
    ({"parent": lambda w: w["late"].pk}, {"child"}),
    ({"team": "OPS"}, ACTIVE),
    ({"team": "ops"}, ACTIVE),
    ({"team": lambda w: w["late"].team_id}, ACTIVE),
    ({"team": lambda w: w["foreign"].team_id}, set()),
    ({"team": "DES"}, set()),
    ({"created_by": lambda w: w["late"].created_by_id}, ACTIVE),
    ({"search": "invoice"}, {"late"}),
    ({"search": lambda w: w["soon"].key}, {"soon"}),
    ({"search": "printer", "is_archived": "true"}, {"old"}),
    ({"search": "Secret"}, set()),
    ({"ordering": ","}, ACTIVE),
    ({"ordering": "title,"}, ACTIVE),
]

# Filters the admin shows as date ranges instead (its own parameter names).
RANGE_CASES = [
    (
        {
            "due_after": lambda w: w["now"].isoformat(),
            "due_before": lambda w: (w["now"] + timedelta(days=7)).isoformat(),
        },
        {"soon"},
    ),
    ({"due_before": lambda w: w["now"].isoformat()}, {"late", "done"}),
    ({"completed_after": lambda w: (w["now"] - timedelta(days=1)).isoformat()}, {"done"}),
    ({"completed_before": lambda w: (w["now"] - timedelta(days=1)).isoformat()}, set()),
]

# (filters, the filter named in the error, its message)
BAD = [
    ({"overdue": "maybe"}, "overdue", f.BOOLEAN_INVALID),
    ({"open": "perhaps"}, "open", f.BOOLEAN_INVALID),
    ({"due_within": "0"}, "due_within", f.DUE_WITHIN_INVALID),
    ({"due_within": "3651"}, "due_within", f.DUE_WITHIN_INVALID),
    ({"due_within": "-3"}, "due_within", f.DUE_WITHIN_INVALID),
    ({"due_within": "7.5"}, "due_within", f.DUE_WITHIN_INVALID),
    ({"is_archived": "maybe"}, "is_archived", f.ARCHIVED_INVALID),
    ({"assignee": "abc"}, "assignee", f.ASSIGNEE_INVALID),
    ({"assignee": "9223372036854775808"}, "assignee", f.ASSIGNEE_INVALID),
    ({"parent": "x"}, "parent", f.PARENT_INVALID),
    ({"team": "9223372036854775808"}, "team", f.TEAM_INVALID),
    ({"team": "-1"}, "team", f.TEAM_INVALID),
    ({"created_by": "0"}, "created_by", f.ID_INVALID),
    (
        {"status": "nope"},
        "status",
        f.CHOICES_INVALID.format(value="nope", choices="todo, in_progress, blocked, done"),
    ),
    ({"due_before": "0001-01-01T00:00:00+00:01"}, "due_before", f.DATETIME_INVALID),
    ({"due_after": "9999-12-31T23:59:59-00:01"}, "due_after", f.DATETIME_INVALID),
    ({"due_after": "yesterday"}, "due_after", f.DATETIME_INVALID),
    (
        {"ordering": "bogus"},
        "ordering",
        f.ORDERING_INVALID.format(fields=", ".join(f.ORDERING_FIELDS)),
    ),
]


def resolve(filters: dict, world: dict) -> dict:
    return {k: (v(world) if callable(v) else v) for k, v in filters.items()}


def names(rows, world: dict) -> set[str]:
    by_pk = {t.pk: name for name, t in world.items() if hasattr(t, "pk")}
    return {by_pk[t.pk] for t in rows}
