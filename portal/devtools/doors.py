"""Each door's measure: the API, the admin, the daily summary, sign-in, the team pages and
the spreadsheets, each next to its floor (a mixin of `Bench`, which holds the clients)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import get_hashers
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from portal.core.spreadsheets import write_csv, write_xlsx
from portal.devtools import floors
from portal.devtools.management.commands.benchmark_spreadsheets import (
    Command as SpreadsheetBenchmark,
)
from portal.devtools.timing import ADMIN_ROWS, Row, counted, percentile, signin_parts, timed
from portal.jobs.jobs import SUMMARY_BATCH
from portal.jobs.models import Job
from portal.tasks.models import Task
from portal.tasks.resources import TaskResource, tasks_for_sheet
from portal.teams.models import Membership, Role, Team


class DoorMeasures:
    """The measures of `Bench` (a mixin: `self` is the bench)."""

    def api_list_10(self) -> Row:
        row = self.measure(
            "api_list_10",
            self.requests["api_list_10"],
            floor=lambda: floors.list_page(self.data.runner.pk, 10),
        )
        return self.judge(row, "ratio <= 3", row.ratio <= 3)

    def api_list_50(self) -> Row:
        row = self.measure(
            "api_list_50",
            self.requests["api_list_50"],
            floor=lambda: floors.list_page(self.data.runner.pk, 50),
        )
        return self.judge(row, "ratio <= 2", row.ratio <= 2)

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
        return self.judge(row, "<= 5 queries, <= 5 ms", row.queries <= 5, row.p50_ms <= 5)

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
        return self.judge(row, "<= 17 queries, <= 12 ms", row.queries <= 17, row.p50_ms <= 12)

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
        row.note = (
            f"{teams} teams ({-(-teams // SUMMARY_BATCH)} batch(es) of up to {SUMMARY_BATCH}), "
            f"{row.queries} queries (with the job's progress)"
        )
        return self.judge(row, "<= 0.5 s, queries per batch", row.p50_ms <= 500)

    def daily_summary_many(self) -> Row:
        """The daily summary with the data set's tasks spread over `summary_teams` teams (the
        20 teams' tasks moved to that many, each with three of their people), rolled back."""
        count = self.summary_teams

        def spread() -> Row:
            _spread_over_teams(self.data.teams, count)
            return self.measure(
                "daily_summary_many",
                self.run_summary,
                iterations=1,  # the run that sends: a second one finds the mail gone out
                warmup=0,
                count_timed=True,
            )

        try:
            row = self._rolled_back(spread)
        finally:
            self._jobs.clear()
        batches = -(-count // SUMMARY_BATCH)
        per_batch = row.queries / batches
        row.extra.update(teams=count, batches=batches, queries_per_batch=round(per_batch, 1))
        row.note = (
            f"{count} teams in {batches} batches of {SUMMARY_BATCH}, {per_batch:.1f} queries per "
            "batch (with the job's progress)"
        )
        return self.judge(row, "<= 20 s, constant queries/batch", row.p50_ms <= 20_000)

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
        return self.judge(row, "ratio <= 2", row.ratio <= 2)

    def sheet_export(self) -> Row:
        count = self.export_rows
        runner = self.data.runner
        resource = TaskResource()

        def export():
            with tempfile.TemporaryFile() as out:
                queryset = tasks_for_sheet(runner)[:count]
                write_xlsx(out, resource.headers(queryset), resource.rows(queryset))

        def floor():
            rows = floors.fetch_rows(floors.list_sql(), [runner.pk, count])
            plain = (
                [json.dumps(v, default=str) if isinstance(v, dict | list) else v for v in r]
                for r in rows
            )
            with tempfile.TemporaryFile() as out:
                write_xlsx(out, list(floors.COLUMNS), plain)

        def export_csv():
            with tempfile.TemporaryFile() as out:
                queryset = tasks_for_sheet(runner)[:count]
                write_csv(out, resource.headers(queryset), resource.rows(queryset))

        row = self.measure(
            "sheet_export", export, iterations=1, warmup=0, floor=floor, count_timed=True
        )
        csv_ms = percentile(timed(export_csv, iterations=1, warmup=0), 0.5)
        xlsx_rate, csv_rate = count / row.p50_ms * 1000, count / csv_ms * 1000
        row.note = (
            f"{count} rows to XLSX ({xlsx_rate:,.0f} rows/s); the same to CSV {csv_ms / 1000:.1f} s "
            f"({csv_rate:,.0f} rows/s); floor: one SQL query written by the same XLSX writer"
        )
        row.extra.update(
            rows=count, xlsx_rows_per_s=round(xlsx_rate), csv_rows_per_s=round(csv_rate)
        )
        return self.judge(
            row,
            "<= 15 s at 100,000 rows; CSV >= 50,000 rows/s",
            xlsx_rate >= 100_000 / 15,
            csv_rate >= 50_000,
        )


SPREAD_OFFSET = 1_000_000_000


def _spread_over_teams(teams: list[Team], count: int) -> None:
    """Move the tasks of `teams` to `count` teams (the first ones kept, the rest made here),
    each new team with three members of the team its tasks came from (in the caller's
    transaction, rolled back after measuring)."""
    made = Team.objects.bulk_create(
        [
            Team(name=f"Bench many {n}", slug=f"bench-many-{n}", key=_letters(n))
            for n in range(count - len(teams))
        ]
    )
    everyone = [*teams, *made]
    ids = list(Task.objects.filter(team__in=teams).order_by("pk").values_list("pk", flat=True))
    people = {
        team.pk: list(Membership.objects.filter(team=team).values_list("user_id", flat=True)[:3])
        for team in teams
    }
    # Numbers out of the way first (ids are unique, and above every number given so far), so
    # no team holds the same number twice while the tasks move.
    Task.objects.filter(pk__in=ids).update(number=F("id") + SPREAD_OFFSET)
    joined = []
    for index, team in enumerate(everyone):
        mine = ids[index :: len(everyone)]
        Task.objects.filter(pk__in=mine).update(team=team, number=F("id"))
        if team in made:
            source = teams[index % len(teams)].pk
            joined += [Membership(team=team, user_id=u, role=Role.MEMBER) for u in people[source]]
    Membership.objects.bulk_create(joined)


def _letters(n: int) -> str:
    """A team key of letters only (ZA, ZB, ... ZAAB): what team keys allow."""
    out = ""
    while True:
        n, rest = divmod(n, 26)
        out = chr(65 + rest) + out
        if n == 0:
            return ("Z" + out.rjust(3, "A"))[:10]
