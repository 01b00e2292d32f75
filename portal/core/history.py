"""One change, one history record.

django-simple-history writes a record on every save and on every many-to-many change, so a
service that saves a task and then sets its assignees and tags would leave three records. The
services save with history paused and then write a single record that holds the whole change
(fields and many-to-many snapshot) with the acting user.
"""

from collections.abc import Mapping, Sequence
from contextlib import contextmanager

from simple_history.models import HistoricalRecords


@contextmanager
def history_paused(instance):
    instance.skip_history_when_saving = True
    try:
        yield instance
    finally:
        del instance.skip_history_when_saving


def record_change(records: HistoricalRecords, instance, *, actor, history_type: str) -> None:
    """Write one history record for `instance` as it is now ("+" created, "~" changed)."""
    instance._history_user = actor
    records.create_historical_record(instance, history_type)


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _m2m_ids(record, relation: str, column: str) -> list[int]:
    return sorted(getattr(row, column) for row in getattr(record, relation).all())


def record_m2m_snapshots(records: HistoricalRecords, history_rows: Sequence) -> None:
    """Write the many-to-many part of history records created in bulk.

    `bulk_create_with_history` and `populate_history` write rows without the many-to-many
    snapshot, so a later diff would report assignees and tags "added" that were always there.
    One read and one write per many-to-many field, however many records.
    """
    if not history_rows:
        return
    model = records.cls
    ids = [row.id for row in history_rows]
    for field, m2m_history_model in records.m2m_models.items():
        through = getattr(model, field.name).through
        source = next(f for f in through._meta.fields if f.related_model is model)
        attnames = [f.attname for f in through._meta.fields]
        by_owner: dict[int, list[dict]] = {}
        # Plain values, not model instances: imports snapshot tens of thousands of links.
        for link in through.objects.filter(**{f"{source.attname}__in": ids}).values(*attnames):
            by_owner.setdefault(link[source.attname], []).append(link)
        m2m_history_model.objects.bulk_create(
            [
                m2m_history_model(history_id=row.pk, **link)
                for row in history_rows
                for link in by_owner.get(row.id, [])
            ],
            batch_size=1000,
        )


def changes_between(
    new_record, old_record, *, m2m: Mapping[str, tuple[str, str]] | None = None
) -> list[dict]:
    """What changed from `old_record` to `new_record`: `{"field", "old", "new"}` per field.

    `m2m` maps each many-to-many field to the historical rows' relation and id column
    (prefetch those relations); their values are sorted id lists. A first record has no changes.
    """
    if old_record is None:
        return []
    m2m = m2m or {}
    delta = new_record.diff_against(old_record, excluded_fields=list(m2m))
    changes = [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
    for name, (relation, column) in m2m.items():
        old, new = _m2m_ids(old_record, relation, column), _m2m_ids(new_record, relation, column)
        if old != new:
            changes.append({"field": name, "old": old, "new": new})
    return changes


def history_entries(
    records: Sequence, older=None, *, m2m: Mapping[str, tuple[str, str]]
) -> list[dict]:
    """Records (newest first) as who, when, what kind and what changed from the one before.

    `older` is the record just before the last one given (the next page's first), so the last
    entry of a page is compared with its real predecessor.
    """
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else older
        entries.append(
            {
                "id": record.history_id,
                "date": record.history_date,
                "type": HISTORY_TYPES.get(record.history_type, "changed"),
                "user": record.history_user,
                "record": record,
                "changes": changes_between(record, previous, m2m=m2m),
            }
        )
    return entries
