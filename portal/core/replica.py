"""Which reads may go to the read replica: the one rule, the router and the pin after a write.

With DATABASE_REPLICA_URL set, the settings add a second database, `replica` (a PostgreSQL
streaming replica of `default`). Reports, exports and the daily summary read from it; every
other read, and every write, uses `default`, the primary. Without the variable there is one
database and everything here answers `default`.

`read_alias()` is the rule. A read may go to the replica only when all hold:
- a replica is configured;
- the request has not written, and the person did not write in the last
  DATABASE_REPLICA_PIN_SECONDS (read-your-writes: `ReplicaPinMiddleware` keeps a cookie);
- the primary's connection is not inside a transaction (its reads must see its own writes
  and the rows it locked).

Code that reads from the replica says so once, where the reading happens, in one of two ways:
`on_replica(queryset)` fixes the database of a queryset (laziness-safe: it is decided when the
queryset is built, while the request is known), and `replica_reads()` sends every read inside
it to the replica through `ReplicaRouter` (for code that makes many queries of its own). Writes
always go to the primary, and migrations never run on the replica.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

REPLICA = "replica"
PIN_COOKIE = "primary_until"


@dataclass
class _Request:
    """What the rule needs to know of the request being answered."""

    pinned: bool  # the person wrote a moment ago (the cookie)
    wrote: bool = False  # this request wrote


_request: ContextVar[_Request | None] = ContextVar("replica_request", default=None)
_scope: ContextVar[bool] = ContextVar("replica_scope", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The database a read that may use the replica goes to now (see the module's rule)."""
    if not replica_configured():
        return DEFAULT_DB_ALIAS
    request = _request.get()
    if request is not None and (request.pinned or request.wrote):
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


def on_replica(queryset: QuerySet) -> QuerySet:
    """`queryset` reading from the replica when the rule allows it, else from the primary."""
    return queryset.using(read_alias())


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica when the rule allows it (usable as a decorator too)."""
    token = _scope.set(True)
    try:
        yield
    finally:
        _scope.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS' only entry: reads inside `replica_reads()` follow `read_alias()`;
    others keep Django's choice (the primary, or the database an object came from)."""

    def db_for_read(self, model, **hints) -> str | None:
        return read_alias() if _scope.get() else None

    def db_for_write(self, model, **hints) -> str:
        request = _request.get()
        if request is not None:
            request.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica holds the primary's rows: objects from either may be related

    def allow_migrate(self, db, app_label, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # a replica is read-only; it receives the schema by WAL


def _pinned(request) -> bool:
    try:
        until = float(request.COOKIES.get(PIN_COOKIE, ""))
    except ValueError:
        return False
    now = time.time()
    # A cookie from the future beyond one window is not ours to honour for long.
    # The cookie is written to the millisecond (rounded): a second of slack on the far side.
    return now < until <= now + settings.DATABASE_REPLICA_PIN_SECONDS + 1


class ReplicaPinMiddleware:
    """Read-your-writes across requests: after a request that wrote, that person's reads stay
    on the primary for DATABASE_REPLICA_PIN_SECONDS (a cookie says until when), so the page
    they are sent to next shows what they just did, however far the replica lags.

    Placed after the session and authentication middleware: their own bookkeeping (saving a
    session) does not pin anyone. A request that only reads (a report, an export, even by
    POST) does not pin either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        state = _Request(pinned=_pinned(request))
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.3f}",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
