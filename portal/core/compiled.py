"""Querysets compiled to SQL once per shape and run again with other ids.

Compiling a queryset costs more than running it when the query is small and indexed (a page's
links: ~0.5-1 ms of Python for a query the database answers in a fraction of that). A query
whose only changing values are a list of ids has one SQL text per number of ids: it is built
by the ORM once, with stand-in ids no row has, and run with the real ids in their places.
The ORM stays the one author of the SQL; nothing is written by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache

from django.db import connections
from django.db.models import Model, QuerySet

# Stand-in ids: far below any id a table hands out, each one its slot's index above the base.
_SLOT_BASE = -(2**62)


class IdsQuery:
    """`build(ids)` (a `values_list` queryset) compiled once per number of ids (at most
    `shapes` shapes kept) and run with the ids given: `IdsQuery(build).rows(ids)`."""

    def __init__(self, build: Callable[[list[int]], QuerySet], *, shapes: int = 128):
        self.build = build
        self._compiled = lru_cache(maxsize=shapes)(self._compile)

    def _compile(self, count: int, alias: str) -> tuple[str, tuple, tuple, tuple]:
        slots = [_SLOT_BASE + n for n in range(count)]
        compiler = self.build(slots).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        # What the ORM does to each value read (JSON text decoded, SQLite's dates parsed...).
        converters = tuple(compiler.get_converters([c[0] for c in compiler.select]).items())
        places = tuple(
            p - _SLOT_BASE
            if isinstance(p, int) and not isinstance(p, bool) and 0 <= p - _SLOT_BASE < count
            else None
            for p in params
        )
        return sql, places, tuple(params), converters

    def objects(self, ids: Sequence[int], *, using: str = "default") -> list[Model]:
        """The rows as model instances, for a `build` giving a plain model queryset (every
        column, no joins, annotations or deferred fields)."""
        model, names = self._model
        return [model.from_db(using, names, row) for row in self.rows(ids, using=using)]

    @cached_property
    def _model(self) -> tuple[type[Model], list[str]]:
        query = self.build([0]).query
        plain = query.default_cols and not (query.annotations or query.select_related)
        if not plain or query.deferred_loading != (frozenset(), True):
            raise ValueError("IdsQuery.objects needs a plain model queryset")
        return query.model, [f.attname for f in query.model._meta.concrete_fields]

    def rows(self, ids: Sequence[int], *, using: str = "default") -> list[tuple]:
        ids = list(ids)
        if not ids:
            return []  # the ORM's answer for `__in=[]`, without asking the database
        sql, places, constants, converters = self._compiled(len(ids), using)
        params = [
            constant if place is None else ids[place]
            for place, constant in zip(places, constants, strict=True)
        ]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            converted.append(tuple(row))
        return converted
