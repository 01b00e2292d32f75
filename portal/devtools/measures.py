"""The measurements: each door through its public entrance, next to its floor.

Requests go through django.test.Client in this process (a JWT header for the API, a session for
the admin and the team pages); the daily summary runs its job function. Each measure is warmed
up, then timed without query capture; one more call under CaptureQueriesContext counts the
queries (and keeps their SQL for the EXPLAIN step), so capturing never slows the timed calls.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portal.devtools.custom_fields import CF_FILTER, CF_ORDER, CustomFieldMeasures
from portal.devtools.data import RUNNER, DataSet
from portal.devtools.doors import DoorMeasures
from portal.devtools.outbox import OutboxMeasures
from portal.devtools.pages import PageMeasures
from portal.devtools.timing import ADMIN_ROWS, Row, counted, percentile, timed
from portal.jobs.jobs import daily_summary
from portal.jobs.models import Job, JobStatus
from portal.jobs.runner import JobContext
from portal.tasks.models import Task

# Every measure, in the order they run and print.
NAMES = (
    "api_list_10",
    "api_list_50",
    "api_search",
    "api_detail",
    "api_create",
    "api_cf_filter",
    "api_cf_order",
    "api_create_cf",
    "admin_changelist",
    "daily_summary",
    "daily_summary_many",
    "api_signin",
    "team_board",
    "team_list",
    "team_task_list",
    "my_work",
    "task_page",
    "team_calendar",
    "activity",
    "reports",
    "sheet_import",
    "sheet_export",
    "sheet_import_cf",
    "events_dispatch",
    "webhook_delivery",
    "explain",
)
# The requests whose SQL the EXPLAIN step looks at: every list the run issues.
LIST_REQUESTS = (
    "api_list_10",
    "api_list_50",
    "api_search",
    "api_cf_filter",
    "api_cf_order",
    "admin_changelist",
    "team_board",
    "team_list",
    "team_task_list",
    "my_work",
    "team_calendar",
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


class Bench(DoorMeasures, PageMeasures, OutboxMeasures, CustomFieldMeasures):
    """Runs the measures over a built data set and collects the rows of the table."""

    def __init__(
        self,
        data: DataSet,
        *,
        iterations: int,
        warmup: int,
        sheet_rows: int,
        export_rows: int,
        events: int = 1000,
        cf_sheet_rows: int = 10_000,
        summary_teams: int = 2000,
    ):
        self.data = data
        self.iterations = max(1, iterations)
        self.warmup = max(0, warmup)
        self.sheet_rows = sheet_rows
        self.export_rows = export_rows
        self.events = max(1, events)
        self.cf_sheet_rows = max(1, cf_sheet_rows)
        self.summary_teams = max(len(data.teams), summary_teams)
        self.webhook_endpoint = None
        self.receiver = None
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
            "api_cf_filter": lambda: self.api_get(f"{tasks}?{CF_FILTER}"),
            "api_cf_order": lambda: self.api_get(f"{tasks}?{CF_ORDER}"),
            "admin_changelist": self.admin_rows,
            **{
                name: (lambda path=path: self.page(path))
                for name, path in self._page_paths().items()
            },
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
        self.close_outbox()
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
