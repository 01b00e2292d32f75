"""Timing and counting one measure: percentiles, timed calls, query counts, a row of results."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

# A measure stops repeating after this long (with at least MIN_SAMPLES), so slow pages cannot
# push a run at 100,000 tasks past its ten minutes; fast ones still get every iteration.
BUDGET_SECONDS = 12.0
MIN_SAMPLES = 3
# Which part of a sign-in a query belongs to, by the first table it names.
SIGNIN_PARTS = (
    ("axes_", "lockout bookkeeping"),
    ("token_blacklist_", "token writes"),
    ("account_", "email addresses"),
    ("accounts_user", "person and last login"),
)


# Rows of the admin's task list in its measure: the targets are written for 100 rows.
ADMIN_ROWS = 100


@dataclass
class Row:
    """One line of the table. Times in milliseconds; `met` is None where no target is set."""

    name: str
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    floor_ms: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    samples: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of the samples."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def timed(
    fn: Callable[[], Any], *, iterations: int, warmup: int, budget: float = BUDGET_SECONDS
) -> list[float]:
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    spent = 0.0
    for _ in range(iterations):
        started = time.perf_counter()
        fn()
        took = time.perf_counter() - started
        samples.append(took * 1000)
        spent += took
        if spent > budget and len(samples) >= MIN_SAMPLES:
            break
    return samples


def counted(fn: Callable[[], Any]) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def signin_parts(sign_in: Callable[[], Any]) -> dict[str, tuple[int, float]]:
    """Queries of one sign-in and their database time, grouped by what they are for.

    Timed by an execute wrapper: CaptureQueriesContext rounds each query to a millisecond.
    """
    seen: list[tuple[str, float]] = []

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((sql, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(clock):
        sign_in()
    parts: dict[str, tuple[int, float]] = {}
    for sql, ms in seen:
        found = [(sql.find(prefix), label) for prefix, label in SIGNIN_PARTS if prefix in sql]
        label = min(found)[1] if found else "other"
        count, total = parts.get(label, (0, 0.0))
        parts[label] = (count + 1, total + ms)
    return parts
