"""One change, one history record.

django-simple-history writes a record on every save and on every many-to-many change, so a
service that saves a task and then sets its assignees and tags would leave three records. The
services save with history paused and then write a single record that holds the whole change
(fields and many-to-many snapshot) with the acting user.
"""

from collections.abc import Collection, Mapping, Sequence
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record


class Records(HistoricalRecords):
    """simple-history's records, with the pause honoured by deletes too.

    simple-history skips the record of a save made with `history_paused`, but always writes one
    (and reads the many-to-many fields for it) when an instance is deleted: a bulk delete would
    cost five queries per row. Services that delete in bulk write the deletion records first
    (`record_deletions`) and delete instances marked with `skip_history_when_saving`.
    """

    def post_delete(self, instance, using=None, **kwargs):
        if hasattr(instance, "skip_history_when_saving"):
            return
        super().post_delete(instance, using=using, **kwargs)


def _m2m_models(records: HistoricalRecords):
    """(field, its history model) of `records`' own model.

    simple-history keeps `m2m_models` in one dict shared by every model's records.
    """
    return [(f, m) for f, m in records.m2m_models.items() if f.model is records.cls]


@contextmanager
def history_paused(instance):
    instance.skip_history_when_saving = True
    try:
        yield instance
    finally:
        del instance.skip_history_when_saving


def record_change(
    records: HistoricalRecords,
    instance,
    *,
    actor,
    history_type: str,
    empty: Collection[str] = (),
) -> None:
    """Write one history record for `instance` as it is now ("+" created, "~" changed).

    The record's many-to-many snapshot is copied inside the database, one statement per field
    (simple-history's own copy re-reads the instance and loads every link as objects: five
    more queries per task). `empty` names many-to-many fields the caller knows have no links,
    so there is nothing to copy. simple-history's record signals are sent as usual; its m2m
    signals are not (nothing in the portal listens to them).
    """
    instance._history_user = actor
    manager = getattr(instance, records.manager_name)
    history_date = getattr(instance, "_history_date", timezone.now())
    history_user = records.get_history_user(instance)
    reason = records.get_change_reason_for_object(instance, history_type, None)
    attrs = {f.attname: getattr(instance, f.attname) for f in records.fields_included(instance)}
    if getattr(manager.model, "history_relation", None) is not None:
        attrs["history_relation"] = instance
    record = manager.model(
        history_date=history_date,
        history_type=history_type,
        history_user=history_user,
        history_change_reason=reason,
        **attrs,
    )
    signal = {
        "sender": manager.model,
        "instance": instance,
        "history_date": history_date,
        "history_user": history_user,
        "history_change_reason": reason,
        "using": None,
    }
    pre_create_historical_record.send(history_instance=record, **signal)
    record.save()
    for field, m2m_history_model in _m2m_models(records):
        if field.name not in empty:
            _copy_links(type(instance), field.name, m2m_history_model, record)
    post_create_historical_record.send(history_instance=record, **signal)


def _copy_links(model, name: str, m2m_history_model, record) -> None:
    """INSERT ... SELECT the links of `record`'s object into its m2m history (one statement)."""
    through = getattr(model, name).through
    source = next(f for f in through._meta.fields if f.related_model is model)
    quote = connection.ops.quote_name
    columns = [f.column for f in through._meta.fields]
    targets = [m2m_history_model._meta.get_field(f.name).column for f in through._meta.fields]
    history_column = m2m_history_model._meta.get_field("history").column
    sql = (
        f"INSERT INTO {quote(m2m_history_model._meta.db_table)} "
        f"({', '.join(quote(c) for c in [*targets, history_column])}) "
        f"SELECT {', '.join(quote(c) for c in columns)}, %s "
        f"FROM {quote(through._meta.db_table)} WHERE {quote(source.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [record.pk, getattr(record, model._meta.pk.attname)])


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _m2m_ids(record, relation: str, column: str) -> list[int]:
    return sorted(getattr(row, column) for row in getattr(record, relation).all())


def record_deletions(records: HistoricalRecords, instances: Sequence, *, by: str = "") -> None:
    """Write a deletion record ("-", no user) for each of `instances`, which are about to go.

    `by` names who deletes when no person does (a scheduled clean-up); it is kept as the
    record's change reason, which the feeds show in place of a person.

    The same record simple-history writes when an instance is deleted, many-to-many snapshot
    included, in one insert plus one read and one write per many-to-many field. The instances
    are marked so that deleting them writes nothing more (`Records.post_delete`).
    """
    if not instances:
        return
    history_model = getattr(records.cls, records.manager_name).model
    now = timezone.now()
    rows = []
    for instance in instances:
        instance.skip_history_when_saving = True
        fields = records.fields_included(instance)
        rows.append(
            history_model(
                history_date=now,
                history_type="-",
                history_user=None,
                history_change_reason=by
                or records.get_change_reason_for_object(instance, "-", None),
                **{f.attname: getattr(instance, f.attname) for f in fields},
            )
        )
    record_m2m_snapshots(records, history_model.objects.bulk_create(rows, batch_size=1000))


def record_creations(records: HistoricalRecords, ids: Sequence[int], *, user) -> list[int]:
    """Write the creation record ("+", signed by `user`) of each of the objects `ids`, just
    inserted in bulk, with their many-to-many snapshots; returns the records' ids.

    What simple-history's `bulk_history_create` writes (it sends no signals either), copied
    inside the database (INSERT ... SELECT) instead of built as model instances: an import of
    ten thousand tasks would spend more on those than on inserting the tasks.
    """
    model = records.cls
    history_model = getattr(model, records.manager_name).model
    quote = connection.ops.quote_name
    tracked = [
        f.column
        for f in history_model._meta.fields
        if not f.name.startswith("history_") and f.name != "history"
    ]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    returning = connection.features.can_return_rows_from_bulk_insert
    record_ids: list[int] = []
    for start in range(0, len(ids), SNAPSHOT_CHUNK):
        chunk = list(ids[start : start + SNAPSHOT_CHUNK])
        sql = (
            f"INSERT INTO {quote(history_model._meta.db_table)} "
            f"({', '.join(quote(c) for c in [*tracked, *extra])}) "
            f"SELECT {', '.join(quote(c) for c in tracked)}, %s, '', '+', %s "
            f"FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})"
        )
        if returning:  # PostgreSQL, SQLite 3.35+: the new records' ids, without a read
            sql += f" RETURNING {quote(history_model._meta.pk.column)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [timezone.now(), getattr(user, "pk", None), *chunk])
            if returning:
                record_ids += [row[0] for row in cursor.fetchall()]
    if not returning:
        found = history_model.objects.filter(**{f"{model._meta.pk.name}__in": ids})
        record_ids = list(found.filter(history_type="+").values_list("pk", flat=True))
    _snapshot_links(records, record_ids)
    return record_ids


# History records whose links one INSERT ... SELECT copies (a bounded list of ids per statement).
SNAPSHOT_CHUNK = 2000


def record_m2m_snapshots(records: HistoricalRecords, history_rows: Sequence) -> None:
    """Write the many-to-many part of history records created in bulk.

    `bulk_create_with_history` and `populate_history` write rows without the many-to-many
    snapshot, so a later diff would report assignees and tags "added" that were always there.
    The links are copied inside the database (INSERT ... SELECT joined to the records), one
    statement per many-to-many field and SNAPSHOT_CHUNK records: imports snapshot tens of
    thousands of links, which as model instances cost more than writing the tasks.
    """
    if history_rows:
        _snapshot_links(records, [row.pk for row in history_rows])


def _snapshot_links(records: HistoricalRecords, record_ids: Sequence[int]) -> None:
    model = records.cls
    history_model = getattr(model, records.manager_name).model
    for field, m2m_history_model in _m2m_models(records):
        for start in range(0, len(record_ids), SNAPSHOT_CHUNK):
            chunk = record_ids[start : start + SNAPSHOT_CHUNK]
            _copy_links_of_records(model, field.name, m2m_history_model, history_model, chunk)


def _copy_links_of_records(model, name, m2m_history_model, history_model, record_ids) -> None:
    """INSERT ... SELECT the links of the records' objects into their m2m history."""
    through = getattr(model, name).through
    source = next(f for f in through._meta.fields if f.related_model is model)
    quote = connection.ops.quote_name
    columns = [f"link.{quote(f.column)}" for f in through._meta.fields]
    targets = [m2m_history_model._meta.get_field(f.name).column for f in through._meta.fields]
    history_column = m2m_history_model._meta.get_field("history").column
    record_pk = history_model._meta.pk.column
    object_pk = history_model._meta.get_field(model._meta.pk.name).column
    places = ", ".join(["%s"] * len(record_ids))
    sql = (
        f"INSERT INTO {quote(m2m_history_model._meta.db_table)} "
        f"({', '.join(quote(c) for c in [*targets, history_column])}) "
        f"SELECT {', '.join(columns)}, record.{quote(record_pk)} "
        f"FROM {quote(through._meta.db_table)} link "
        f"JOIN {quote(history_model._meta.db_table)} record "
        f"ON record.{quote(object_pk)} = link.{quote(source.column)} "
        f"WHERE record.{quote(record_pk)} IN ({places})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(record_ids))


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
                "by": record.history_change_reason or "",
                "record": record,
                "changes": changes_between(record, previous, m2m=m2m),
            }
        )
    return entries
