"""Indexes that let a list ordered by a custom number or date (`?ordering=cf_points`) read
its first page from an index instead of sorting every task a person may see.

PostgreSQL only. One pair of expression indexes per key of a number or date field (teams that
share a key share them): `(custom_fields -> '<key>')` ascending and descending, empties last,
then the id, matching the ORDER BY the task filters write (`order_terms`). They are made
when such a field is defined (after its transaction commits, CONCURRENTLY so that writes to
the tasks go on) and dropped when no field of that key needs them; `migrate` makes any that
are missing. Measured in `manage.py benchmark` (api_cf_order): at 100,000 tasks an ordered
first page went from sorting all the visible tasks (about 300 ms on a busy two-core machine)
to an index scan of 51 rows (under 1 ms).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.db import connection, transaction

from portal.tasks.custom_fields import RANGE_TYPES
from portal.tasks.models import CustomField, Task

log = logging.getLogger(__name__)
# Keys are checked by the definition's rules; this is the last guard before SQL text.
SAFE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DIRECTIONS = (("asc", "ASC NULLS LAST"), ("desc", "DESC NULLS LAST"))


def index_name(key: str, direction: str) -> str:
    return f"tasks_cf_{key}_{direction}"[:63]


def _wanted_keys() -> set[str]:
    return set(CustomField.objects.filter(type__in=list(RANGE_TYPES)).values_list("key", flat=True))


def _existing() -> dict[str, bool]:
    """The order indexes on the tasks table, and whether each is valid (a CONCURRENTLY
    build that failed leaves an invalid one behind, which is dropped and made again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND c.relname LIKE %s",
            [Task._meta.db_table, "tasks\\_cf\\_%"],
        )
        return dict(cursor.fetchall())


def sync_order_indexes(keys: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Make the missing indexes of number and date fields' keys (all, or `keys`) and drop
    those no field needs; returns what was made and dropped. Nothing off PostgreSQL."""
    if connection.vendor != "postgresql":
        return {"made": [], "dropped": []}
    wanted = _wanted_keys()
    existing = _existing()
    looked_at = (
        set(keys)
        if keys is not None
        else wanted | {name[len("tasks_cf_") :].rsplit("_", 1)[0] for name in existing}
    )
    # Inside a transaction (a test, a migration) CONCURRENTLY is not allowed.
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    table = connection.ops.quote_name(Task._meta.db_table)
    statements, made, dropped = [], [], []
    for key in sorted(looked_at):
        if not SAFE_KEY.match(key):
            continue
        for direction, order in DIRECTIONS:
            name = index_name(key, direction)
            if key in wanted and existing.get(name) is False:
                statements.append(f"DROP INDEX{concurrently} IF EXISTS {name}")
                existing.pop(name)
            if key in wanted and name not in existing:
                statements.append(
                    f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON {table} "
                    f"((custom_fields -> '{key}') {order}, id DESC)"
                )
                made.append(name)
            elif key not in wanted and name in existing:
                statements.append(f"DROP INDEX{concurrently} IF EXISTS {name}")
                dropped.append(name)
    if statements:
        with connection.cursor() as cursor:
            if not concurrently:
                # A transaction that wrote tasks holds their foreign keys' checks until it
                # ends, and PostgreSQL refuses an index on a table with pending checks: run
                # them now, then defer again as before.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for statement in statements:
                cursor.execute(statement)
            if not concurrently:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if made or dropped:
        log.info("custom field order indexes: made %s, dropped %s", made, dropped)
    return {"made": made, "dropped": dropped}


def sync_after_commit(key: str) -> None:
    """After the definition's transaction: make or drop the key's indexes. A failure is
    logged and leaves the lists correct, only slower (the next `migrate` tries again)."""

    def run() -> None:
        try:
            sync_order_indexes([key])
        except Exception:  # the definition is saved; the index is an optimisation
            log.exception("custom field order indexes for %s", key)

    transaction.on_commit(run)
