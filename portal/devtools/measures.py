"""The measurements: each door through its public entrance, next to its floor.

Requests go through django.test.Client in this process (a JWT header for the API, a session for
the admin and the team pages); the daily summary runs its job function. Each measure is warmed
up, then timed without query capture; one more call under CaptureQueriesContext counts the
queries (and keeps their SQL for the EXPLAIN step), so capturing never slows the timed calls.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.hashers import get_hashers
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portal.core.spreadsheets import write_xlsx
from portal.devtools import floors
from portal.devtools.dataset import RUNNER, DataSet
from portal.devtools.management.commands.benchmark_spreadsheets import (
    Command as SpreadsheetBenchmark,
)
from portal.jobs.jobs import daily_summary
from portal.jobs.models import Job, JobStatus
from portal.jobs.runner import JobContext
from portal.tasks.models import Task
from portal.tasks.resources import TaskResource, tasks_for_sheet

# Rows of the admin's task list in its measure: the targets are written for 100 rows.
ADMIN_ROWS = 100

# Every measure, in the order they run and print.
NAMES = (
    "api_list_10",
    "api_list_50",
    "api_search",
    "api_detail",
    "api_create",
    "admin_changelist",
    "daily_summary",
    "api_signin",
    "team_board",
    "team_list",
    "sheet_import",
    "sheet_export",
    "explain",
)
# The requests whose SQL the EXPLAIN step looks at: every list the run issues.
LIST_REQUESTS = (
    "api_list_10",
    "api_list_50",
    "api_search",
    "admin_changelist",
    "team_board",
    "team_list",
    "daily_summary",
)
SEQ_SCAN_TABLES = (
    Task._meta.db_table,
    Task.assignees.through._meta.db_table,
    Task.tags.through._meta.db_table,
)
FLOOR_NUMBER = 10_000_000
# The benchmark's requests come from a documentation address (RFC 5737), so the rate limits
# and sign-in records they leave never count against a real client on 127.0.0.1 (such as the
# load test run right after a --keep run).
CLIENT_ADDRESS = "192.0.2.13"
UNEXPECTED_STATUS = "{method} {path} answered {status}, expected {expected}: {body}"


class BenchmarkError(Exception):
    pass


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


# A measure stops repeating after this long (with at least MIN_SAMPLES), so slow pages cannot
# push a run at 100,000 tasks past its ten minutes; fast ones still get every iteration.
BUDGET_SECONDS = 12.0
MIN_SAMPLES = 3


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


class Bench:
    """Runs the measures over a built data set and collects the rows of the table."""

    def __init__(
        self, data: DataSet, *, iterations: int, warmup: int, sheet_rows: int, export_rows: int
    ):
        self.data = data
        self.iterations = max(1, iterations)
        self.warmup = max(0, warmup)
        self.sheet_rows = sheet_rows
        self.export_rows = export_rows
        self.rows: dict[str, Row] = {}
        self.requests: dict[str, Callable[[], Any]] = {}
        self.captured: dict[str, list[str]] = {}
        self.api = Client(REMOTE_ADDR=CLIENT_ADDRESS)
        self.browser = Client(REMOTE_ADDR=CLIENT_ADDRESS)
        self.browser.force_login(data.runner)
        self.token = self.sign_in()["access"]
        self.team = data.teams[0]
        self.floor_number = FLOOR_NUMBER
        self._wire_requests()

    # -- doors ---------------------------------------------------------------------------------
    def _call(self, client: Client, method: str, path: str, expected: int = 200, **kwargs):
        response = getattr(client, method)(path, **kwargs)
        if response.status_code != expected:
            body = response.content[:300].decode(errors="replace")
            raise BenchmarkError(
                UNEXPECTED_STATUS.format(
                    method=method.upper(),
                    path=path,
                    status=response.status_code,
                    expected=expected,
                    body=body,
                )
            )
        return response

    def sign_in(self) -> dict[str, Any]:
        response = self._call(
            self.api,
            "post",
            reverse("api:login"),
            data={"username": RUNNER, "password": self.data.password},
            content_type="application/json",
        )
        return response.json()

    def api_get(self, path: str, expected: int = 200):
        headers = {"Authorization": f"Bearer {self.token}"}
        return self._call(self.api, "get", path, expected, headers=headers)

    def page(self, path: str):
        return self._call(self.browser, "get", path)

    def admin_rows(self):
        """The admin's task list showing ADMIN_ROWS rows (a person may page by 25 or 100)."""
        model_admin = admin.site._registry[Task]
        own = vars(model_admin).get("list_per_page")
        model_admin.list_per_page = ADMIN_ROWS
        try:
            return self.page(reverse("admin:tasks_task_changelist"))
        finally:
            # Leave the admin as it was: its class's setting, unless it had one of its own.
            if own is None:
                del model_admin.list_per_page
            else:
                model_admin.list_per_page = own

    def run_summary(self) -> dict:
        # The job function as the runner calls it, with its own job record for the progress.
        job = Job.objects.create(kind="daily_summary", status=JobStatus.RUNNING, attempts=1)
        self._jobs.append(job.pk)
        return daily_summary(JobContext(job))

    def _wire_requests(self) -> None:
        self._jobs: list[int] = []
        tasks = reverse("api:task-list")
        self.requests = {
            "api_list_10": lambda: self.api_get(f"{tasks}?page_size=10"),
            "api_list_50": lambda: self.api_get(f"{tasks}?page_size=50"),
            "api_search": lambda: self.api_get(f"{tasks}?search=deploy&page_size=50"),
            "admin_changelist": self.admin_rows,
            "team_board": lambda: self.page(reverse("pages:board", args=[self.team.slug])),
            "team_list": lambda: self.page(reverse("pages:teams")),
            "daily_summary": self.run_summary,
        }

    # -- the generic measure -------------------------------------------------------------------
    def measure(
        self,
        name: str,
        fn: Callable[[], Any],
        *,
        iterations: int | None = None,
        warmup: int | None = None,
        floor: Callable[[], Any] | None = None,
        count_timed: bool = False,
    ) -> Row:
        """Time `fn` (and its floor); count its queries on one more call.

        `count_timed` counts on the last timed call instead, for measures too slow to repeat
        (capturing costs microseconds per query, nothing next to seconds).
        """
        iterations = max(1, iterations or self.iterations)
        warmup = self.warmup if warmup is None else warmup
        samples = timed(fn, iterations=iterations - count_timed, warmup=warmup)
        if count_timed:
            started = time.perf_counter()
            queries, sql = counted(fn)
            samples.append((time.perf_counter() - started) * 1000)
        else:
            queries, sql = counted(fn)
        self.captured[name] = sql
        row = Row(
            name=name,
            p50_ms=percentile(samples, 0.5),
            p95_ms=percentile(samples, 0.95),
            queries=queries,
            samples=len(samples),
        )
        if floor is not None:
            floor_samples = timed(floor, iterations=iterations, warmup=warmup)
            row.floor_ms = percentile(floor_samples, 0.5)
            row.ratio = row.p50_ms / row.floor_ms if row.floor_ms else None
        self.rows[name] = row
        return row

    @staticmethod
    def judge(row: Row, target: str, *checks: bool) -> Row:
        row.target = target
        row.met = all(checks)
        return row

    # -- the measures --------------------------------------------------------------------------
    def api_list_10(self) -> Row:
        row = self.measure(
            "api_list_10",
            self.requests["api_list_10"],
            floor=lambda: floors.list_page(self.data.runner.pk, 10),
        )
        return self.judge(row, "ratio <= 5", row.ratio <= 5)

    def api_list_50(self) -> Row:
        row = self.measure(
            "api_list_50",
            self.requests["api_list_50"],
            floor=lambda: floors.list_page(self.data.runner.pk, 50),
        )
        return self.judge(row, "ratio <= 3", row.ratio <= 3)

    def api_search(self) -> Row:
        # The yardstick is the unfiltered 50-row list of this run (measured here if not asked).
        reference = self.rows.get("api_list_50")
        unfiltered = (
            reference.p50_ms
            if reference
            else percentile(
                timed(self.requests["api_list_50"], iterations=self.iterations, warmup=1), 0.5
            )
        )
        row = self.measure("api_search", self.requests["api_search"])
        row.floor_ms = unfiltered
        row.ratio = row.p50_ms / unfiltered
        hits = self.requests["api_search"]().json()
        row.note = f"floor: the unfiltered 50-row list; {hits['count']} hits" + (
            "" if hits.get("count_exact", True) else " or more"
        )
        return self.judge(row, "p50 <= 2x list_50", row.ratio <= 2)

    def _sample_task(self) -> int:
        results = self.requests["api_list_50"]().json()["results"]
        best = max(results, key=lambda r: (len(r["assignees"]), len(r["tags"])))
        return best["id"]

    def api_detail(self) -> Row:
        task_id = self._sample_task()
        row = self.measure(
            "api_detail",
            lambda: self.api_get(reverse("api:task-detail", args=[task_id])),
            floor=lambda: floors.detail(task_id, self.data.runner.pk),
        )
        return self.judge(row, "<= 4 queries, <= 5 ms", row.queries <= 4, row.p50_ms <= 5)

    def api_create(self) -> Row:
        team = self.team
        assignees = [u for u in self.data.writers[team.pk] if u != self.data.runner.pk][:2]
        tag_ids = self.data.tag_ids[:2]
        payload = {
            "team": team.pk,
            "title": "Deploy the benchmark's new task",
            "description": "Created by the benchmark.",
            "priority": "high",
            "assignee_ids": assignees,
            "tag_ids": tag_ids,
        }
        headers = {"Authorization": f"Bearer {self.token}"}
        made: list[int] = []

        def create():
            response = self._call(
                self.api,
                "post",
                reverse("api:task-list"),
                201,
                data=json.dumps(payload),
                content_type="application/json",
                headers=headers,
            )
            return response

        def floor():
            self.floor_number += 1
            made.append(
                floors.create(
                    team=team,
                    number=self.floor_number,
                    creator_id=self.data.runner.pk,
                    assignee_ids=assignees,
                    tag_ids=tag_ids,
                )
            )

        try:
            row = self.measure("api_create", create, floor=floor)
        finally:
            # The floor's rows are not tasks anybody made: they leave at once.
            for model in (Task.assignees.through, Task.tags.through):
                model.objects.filter(task_id__in=made).delete()
            Task.objects.filter(pk__in=made)._raw_delete(connection.alias)
        row.note = "2 assignees, 2 tags; floor: bulk_create of the task and its links"
        return self.judge(row, "<= 15 queries, <= 15 ms", row.queries <= 15, row.p50_ms <= 15)

    def admin_changelist(self) -> Row:
        row = self.measure(
            "admin_changelist",
            self.requests["admin_changelist"],
            floor=lambda: floors.list_page(self.data.runner.pk, ADMIN_ROWS),
        )
        size = len(self.requests["admin_changelist"]().content) / 1024
        row.extra["html_kb"] = round(size, 1)
        row.note = (
            f"{ADMIN_ROWS} rows, {size:.0f} KB of HTML; floor: the {ADMIN_ROWS}-row list query "
            "as JSON"
        )
        return self.judge(row, "<= 150 KB, p50 <= 60 ms", size <= 150, row.p50_ms <= 60)

    def daily_summary(self) -> Row:
        teams = len(self.data.teams)
        try:
            row = self.measure(
                "daily_summary",
                self.run_summary,
                iterations=min(self.iterations, 5),
                warmup=min(self.warmup, 1),
                count_timed=True,
            )
        finally:
            Job.objects.filter(pk__in=self._jobs).delete()
            self._jobs.clear()
        per_team = row.queries / teams
        row.extra["queries_per_team"] = round(per_team, 2)
        row.note = f"{teams} teams, {per_team:.1f} queries per team (with the job's progress)"
        return self.judge(row, "<= 5 queries/team, <= 1 s", per_team <= 5, row.p50_ms <= 1000)

    def api_signin(self) -> list[Row]:
        iterations = min(self.iterations, 5)
        row = self.measure("api_signin", self.sign_in, iterations=iterations, warmup=1)
        self.judge(row, "<= 300 ms", row.p50_ms <= 300)
        hasher = get_hashers()[0]
        encoded = type(self.data.runner).objects.get(pk=self.data.runner.pk).password
        samples = timed(
            lambda: hasher.verify(self.data.password, encoded), iterations=iterations, warmup=1
        )
        verify = Row(
            name="api_signin.hasher",
            p50_ms=percentile(samples, 0.5),
            p95_ms=percentile(samples, 0.95),
            queries=0,
            samples=len(samples),
            note=f"one {hasher.algorithm} verify alone",
        )
        parts = signin_parts(self.sign_in)
        rest = Row(
            name="api_signin.rest",
            p50_ms=max(0.0, row.p50_ms - verify.p50_ms),
            queries=row.queries,
            note="sign-in minus the verify; its queries: "
            + ", ".join(f"{part} {n} ({ms:.1f} ms)" for part, (n, ms) in parts.items())
            + "; the rest is Python (token signing, serializers, lockout handlers)",
            extra={
                "queries_by_part": {k: {"queries": n, "ms": ms} for k, (n, ms) in parts.items()}
            },
        )
        row.note = f"first hasher {hasher.algorithm}"
        self.rows[verify.name] = verify
        self.rows[rest.name] = rest
        return [row, verify, rest]

    def team_board(self) -> Row:
        row = self.measure("team_board", self.requests["team_board"])
        row.note = f"board of one team ({self.team.slug})"
        return row

    def team_list(self) -> Row:
        row = self.measure("team_list", self.requests["team_list"])
        row.note = f"the team list page ({len(self.data.teams)} teams)"
        return row

    # -- spreadsheets, as `manage.py benchmark_spreadsheets` measures them -------------------
    def _rolled_back(self, fn: Callable[[], Any]) -> Any:
        result = []

        class _Undo(Exception):
            pass

        try:
            with transaction.atomic():
                result.append(fn())
                raise _Undo
        except _Undo:
            pass
        return result[0]

    def sheet_import(self) -> Row:
        sheets = SpreadsheetBenchmark()
        count = self.sheet_rows
        repeats = min(self.iterations, 3)
        runs, floors_ms, queries = [], [], 0
        for run in range(repeats):
            key = f"BNIMP{chr(65 + run)}"
            _, took = self._rolled_back(lambda key=key: sheets.portal_import(count, key))
            runs.append(took * 1000)
            raw = self._rolled_back(lambda key=key: sheets.raw_bulk(count, f"{key}R"))
            floors_ms.append(raw * 1000)
        queries, _ = counted(
            lambda: self._rolled_back(lambda: sheets.portal_import(count, "BNIMPQ"))
        )
        row = Row(
            name="sheet_import",
            p50_ms=percentile(runs, 0.5),
            p95_ms=percentile(runs, 0.95),
            queries=queries,
            floor_ms=percentile(floors_ms, 0.5),
            samples=repeats,
            note=f"{count} XLSX rows (2 assignees, 2 tags); floor: raw bulk_create",
            extra={"rows": count},
        )
        row.ratio = row.p50_ms / row.floor_ms
        self.rows[row.name] = row
        return row

    def sheet_export(self) -> Row:
        count = self.export_rows
        runner = self.data.runner
        resource = TaskResource()

        def export():
            with tempfile.TemporaryFile() as out:
                queryset = tasks_for_sheet(runner)[:count]
                write_xlsx(out, resource.headers(), resource.rows(queryset))

        def floor():
            rows = floors.fetch_rows(floors.list_sql(), [runner.pk, count])
            plain = (
                [json.dumps(v, default=str) if isinstance(v, dict | list) else v for v in r]
                for r in rows
            )
            with tempfile.TemporaryFile() as out:
                write_xlsx(out, list(floors.COLUMNS), plain)

        row = self.measure(
            "sheet_export", export, iterations=1, warmup=0, floor=floor, count_timed=True
        )
        row.note = f"{count} rows to XLSX; floor: one SQL query written by the same writer"
        row.extra["rows"] = count
        return row

    # -- plans ---------------------------------------------------------------------------------
    def explain(self) -> dict[str, Any]:
        if connection.vendor != "postgresql":
            return {"note": "Query plans are PostgreSQL-only; run against PostgreSQL to see them."}
        requests: dict[str, Any] = {}
        for name in LIST_REQUESTS:
            sql = self.captured.get(name)
            if sql is None:
                _, sql = counted(self.requests[name])
            requests[name] = explain_queries(sql)
        Job.objects.filter(pk__in=self._jobs).delete()
        self._jobs.clear()
        seq = [name for name, found in requests.items() if found["seq_scans"]]
        return {
            "requests": requests,
            "summary": (
                "no sequential scan of the tasks table or its link tables"
                if not seq
                else f"sequential scans of the tasks tables in: {', '.join(seq)}"
            ),
        }

    def close(self) -> None:
        self.browser.logout()
        # The throttles' request history outlives the run in the cache: a kept data set's
        # person would start the load test already "over" the per-minute limits.
        scopes = api_settings.DEFAULT_THROTTLE_RATES
        idents = (CLIENT_ADDRESS, self.data.runner.pk)
        SimpleRateThrottle.cache.delete_many(
            [
                SimpleRateThrottle.cache_format % {"scope": scope, "ident": ident}
                for scope in scopes
                for ident in idents
            ]
        )


# Which part of a sign-in a query belongs to, by the first table it names.
SIGNIN_PARTS = (
    ("axes_", "lockout bookkeeping"),
    ("token_blacklist_", "token writes"),
    ("account_", "email addresses"),
    ("accounts_user", "person and last login"),
)


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


def _nodes(plan: dict[str, Any]):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _table_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        found = cursor.fetchone()
    return int(found[0]) if found else 0


def explain_queries(statements: list[str]) -> dict[str, Any]:
    """EXPLAIN (ANALYZE) each read of the tasks tables: sequential scans, the slowest plan."""
    explained, scans, slowest = 0, [], None
    for index, sql in enumerate(statements):
        text = sql.lstrip().upper()
        if not text.startswith("SELECT") or "FOR UPDATE" in text:
            continue
        if not any(table.upper() in text for table in SEQ_SCAN_TABLES):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            (doc,) = cursor.fetchone()
        if isinstance(doc, str):
            doc = json.loads(doc)
        plan = doc[0]
        explained += 1
        for node in _nodes(plan["Plan"]):
            table = node.get("Relation Name")
            seen = any(s["query"] == index and s["table"] == table for s in scans)
            if node["Node Type"] == "Seq Scan" and table in SEQ_SCAN_TABLES and not seen:
                loops = node.get("Actual Loops", 1)
                # Rows the scan looked at: a scan under a LIMIT stops early, and how much of
                # the table it read tells a bounded scan from a whole-table one.
                read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
                scans.append(
                    {
                        "query": index,
                        "table": table,
                        "rows": node.get("Actual Rows"),
                        "read": read,
                        "table_rows": _table_rows(table),
                        "sql": sql[:300],
                    }
                )
        took = plan.get("Execution Time", 0.0)
        if slowest is None or took > slowest["ms"]:
            slowest = {
                "query": index,
                "node": plan["Plan"]["Node Type"],
                "ms": took,
                "sql": sql[:300],
            }
    return {
        "queries": len(statements),
        "explained": explained,
        "seq_scans": scans,
        "slowest": slowest,
    }


def machine() -> dict[str, Any]:
    import os
    import platform

    import django

    facts = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
        "database": connection.vendor,
        "password_hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1],
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            facts["postgresql"] = cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            facts["sqlite"] = cursor.fetchone()[0]
    return facts
