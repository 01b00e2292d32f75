"""One change, one history record.

django-simple-history writes a record on every save and on every many-to-many change, so a
service that saves a task and then sets its assignees and tags would leave three records. The
services save with history paused and then write a single record that holds the whole change
(fields and many-to-many snapshot) with the acting user.
"""

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


def changes_between(new_record, old_record) -> list[dict]:
    """Field-level differences between two history records, for history views and the API."""
    if old_record is None:
        return []
    delta = new_record.diff_against(old_record)
    return [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
