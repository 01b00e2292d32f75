"""Writes that race: lock the row a change starts from, and never bring a deleted row back.

A door reads a row, then a service changes it. Between the two another request may change or
delete the same row. Django's `save()` on an instance whose row is gone quietly INSERTs it again
(an UPDATE of no rows falls back to an INSERT), so a deleted membership, comment or task would
come back with the removed person's access. Services therefore start every change of an
existing row with `lock_row()`: inside the service's transaction it takes the row's lock
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite runs one writing transaction at a time, see the
`IMMEDIATE` transaction mode in the settings), loads the row as it is now into the instance and
raises `RowGone` when it no longer exists. Rules are then judged on what is stored, not on what
the door read, and services save such rows with `force_update=True`, so an update can never
re-create a row.

`RowGone` is an `Http404`: every door (admin, API, team pages) answers 404, as it would for a
row that was already gone when the request came in.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.http import Http404

ROW_GONE = "This {thing} no longer exists: it was deleted meanwhile."


class RowGone(Http404):
    """The row a change started from was deleted by someone else meanwhile."""

    def __init__(self, instance_or_model) -> None:
        model = (
            instance_or_model if isinstance(instance_or_model, type) else type(instance_or_model)
        )
        super().__init__(ROW_GONE.format(thing=model._meta.verbose_name))


def _stored(model: type[models.Model], pk, fields: Iterable[str]) -> dict | None:
    queryset = model._base_manager.select_for_update().filter(pk=pk)
    return queryset.values(*fields).first()


def lock_row(instance: models.Model, *, refresh: bool = True) -> None:
    """Lock `instance`'s row until the transaction ends and load its stored values into it.

    Must run inside `transaction.atomic`. Raises RowGone when the row was deleted. With
    `refresh=False` only the lock and the existence check are taken (for a delete).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_row() must run inside transaction.atomic().")
    model = type(instance)
    fields = [f.attname for f in model._meta.concrete_fields] if refresh else ["pk"]
    stored = _stored(model, instance.pk, fields)
    if stored is None:
        raise RowGone(instance)
    if refresh:
        for name, value in stored.items():
            if getattr(instance, name, None) != value:
                setattr(instance, name, value)
