"""`manage.py benchmark_spreadsheets`: the figures in docs/spreadsheets.md.

Measures, in one run and on the configured database (use PostgreSQL, as production does):

1. importing N tasks (default 10,000) from an XLSX file with assignees and tags through the
   portal's path (`TaskResource().import_data`, services in bulk);
2. the same rows through django-import-export's default per-row path (a plain ModelResource,
   one save per row, many-to-many set per row);
3. a raw `bulk_create` of the same rows and their many-to-many rows (the floor);
4. exporting M tasks (default 100,000) to XLSX in streaming mode: rows per second and the
   growth of the process's peak memory.

Everything happens inside a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import io
import resource
import tempfile
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from import_export import fields, resources, widgets

from portal.accounts.models import User
from portal.core.spreadsheets import read_table, write_csv, write_xlsx
from portal.devtools.data.custom import COMPONENTS as CUSTOM_COMPONENTS
from portal.devtools.data.custom import FIELDS as CUSTOM_FIELDS
from portal.devtools.data.custom import SEVERITIES as CUSTOM_SEVERITIES
from portal.devtools.data.custom import define as define_custom
from portal.tasks.models import Tag, Task
from portal.tasks.resources import TaskResource, tasks_for_sheet
from portal.teams.models import Membership, Role, Team

PEOPLE = 20
TAGS = 10


class _Rollback(Exception):
    pass


class PerRowTaskResource(resources.ModelResource):
    """django-import-export's default path: each row looked up, validated and saved alone."""

    team = fields.Field(
        attribute="team", column_name="team", widget=widgets.ForeignKeyWidget(Team, "key")
    )
    assignees = fields.Field(
        attribute="assignees",
        column_name="assignees",
        widget=widgets.ManyToManyWidget(User, field="username", separator=","),
    )
    tags = fields.Field(
        attribute="tags", column_name="tags", widget=widgets.ManyToManyWidget(Tag, field="name")
    )

    class Meta:
        model = Task
        fields = ("team", "number", "title", "status", "priority", "assignees", "tags")
        import_id_fields = ("team", "number")


def _rss_mb() -> float:
    """The process's resident memory now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


class Command(BaseCommand):
    help = "Measure spreadsheet import and export speed (figures for docs/spreadsheets.md)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000, help="Rows to import.")
        parser.add_argument("--export-rows", type=int, default=100_000, help="Rows to export.")
        parser.add_argument(
            "--skip-per-row", action="store_true", help="Leave out the slow per-row baseline."
        )
        parser.add_argument(
            "--repeat", type=int, default=3, help="Runs of the fast imports; the best counts."
        )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                self.repeat = max(1, options["repeat"])
                self.run(options["rows"], options["export_rows"], options["skip_per_row"])
                raise _Rollback
        except _Rollback:
            self.stdout.write("(everything was rolled back)")

    # -- set-up --
    def world(self, key: str, custom: bool = False):
        team = Team.objects.create(
            name=f"Benchmark {key}", slug=f"benchmark-{key.lower()}", key=key
        )
        if custom:
            # The benchmark data set's five custom fields (a choice, a number, a text, a date
            # and a person), as column headers by name.
            define_custom([team])
        lead = User.objects.create(username=f"bench-lead-{key.lower()}")
        Membership.objects.create(team=team, user=lead, role=Role.LEAD)
        people = User.objects.bulk_create(
            [User(username=f"bench-{key.lower()}-{i}") for i in range(PEOPLE)]
        )
        Membership.objects.bulk_create(
            [Membership(team=team, user=p, role=Role.MEMBER) for p in people]
        )
        tags = Tag.objects.bulk_create([Tag(name=f"bench-{key.lower()}-{i}") for i in range(TAGS)])
        return team, lead, people, tags

    def rows(self, team, people, tags, count):
        for i in range(count):
            person = people[i % PEOPLE]
            yield {
                # The custom columns (read only when the headers name them).
                "Severity": CUSTOM_SEVERITIES[i % len(CUSTOM_SEVERITIES)],
                "Story points": (0.5, 1, 2, 3, 5, 8)[i % 6],
                "Component": CUSTOM_COMPONENTS[i % len(CUSTOM_COMPONENTS)],
                "Review date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "Owner": person.username,
                "team": team.key,
                "number": i + 1,
                "title": f"Benchmark task {i}",
                "status": "todo",
                "priority": "medium",
                "assignees": ",".join(p.username for p in people[i % PEOPLE : i % PEOPLE + 2]),
                "tags": ",".join(t.name for t in tags[i % TAGS : i % TAGS + 2]),
            }

    def xlsx(self, headers, rows) -> bytes:
        buffer = io.BytesIO()
        write_xlsx(buffer, headers, ([row[h] for h in headers] for row in rows))
        return buffer.getvalue()

    # -- measurements --
    def run(self, count: int, export_count: int, skip_per_row: bool = False) -> None:
        self.stdout.write(f"Import of {count} tasks with 2 assignees and 2 tags each (XLSX):")
        # The fast paths run several times (best of) in turn, so a busy machine distorts less.
        portals, raws = [], []
        for run in range(self.repeat):
            portals.append(self.portal_import(count, f"BENCHA{chr(65 + run)}"))
            raws.append(self.raw_bulk(count, f"BENCHC{chr(65 + run)}"))
        reading = min(r for r, _ in portals)
        portal = min(p for _, p in portals)
        raw = min(raws)
        per_row = None if skip_per_row else self.per_row_import(count)
        self.stdout.write(f"  reading the XLSX file (both imports):    {reading:8.2f} s")
        self.stdout.write(f"  portal (TaskResource, services in bulk): {portal:8.2f} s")
        if per_row is not None:
            self.stdout.write(f"  django-import-export default per-row:    {per_row:8.2f} s")
        self.stdout.write(f"  raw bulk_create with m2m rows:           {raw:8.2f} s")
        if per_row is not None:
            self.stdout.write(f"  portal is {per_row / portal:.1f}x faster than per-row")
        self.stdout.write(f"  portal takes {portal / raw:.1f}x the raw bulk_create")
        self.stdout.write(
            f"  with reading the file, {(portal + reading) / raw:.1f}x (best of {self.repeat} "
            "runs for the portal and the raw bulk_create)"
        )
        self.export(export_count)

    def portal_import(
        self, count: int, key: str = "BENCHA", custom: bool = False
    ) -> tuple[float, float]:
        """Import `count` rows; with `custom`, five custom columns more (each filled)."""
        team, lead, people, tags = self.world(key, custom=custom)
        headers = ["team", "title", "status", "priority", "assignees", "tags"]
        if custom:
            headers += [name for _, name, _, _ in CUSTOM_FIELDS]
        content = self.xlsx(headers, self.rows(team, people, tags, count))
        started = time.perf_counter()
        table = read_table(content, "xlsx", max_rows=count, max_bytes=len(content) + 1)
        read = time.perf_counter()
        result = TaskResource().import_data(table, dry_run=False, user=lead)
        took = time.perf_counter() - read
        assert not result.problems, result.problems[:3]
        assert Task.objects.filter(team=team).count() == count
        if custom:
            filled = Task.objects.filter(team=team, custom_fields__has_key="owner").count()
            assert filled == count, filled
        return read - started, took

    def per_row_import(self, count: int) -> float:
        team, _, people, tags = self.world("BENCHB")
        headers = ["team", "number", "title", "status", "priority", "assignees", "tags"]
        content = self.xlsx(headers, self.rows(team, people, tags, count))
        table = read_table(content, "xlsx", max_rows=count, max_bytes=len(content) + 1)
        import tablib

        started = time.perf_counter()
        dataset = tablib.Dataset(*[tuple(r) for r in table.rows], headers=table.headers)
        result = PerRowTaskResource().import_data(dataset, dry_run=False)
        took = time.perf_counter() - started
        assert not result.has_errors() and not result.has_validation_errors()
        assert Task.objects.filter(team=team).count() == count
        return took

    def raw_bulk(self, count: int, key: str = "BENCHC") -> float:
        team, _, people, tags = self.world(key)
        by_name = {p.username: p for p in people} | {t.name: t for t in tags}
        rows = list(self.rows(team, people, tags, count))
        started = time.perf_counter()
        tasks = Task.objects.bulk_create(
            [
                Task(team=team, number=r["number"], title=r["title"], status=r["status"])
                for r in rows
            ],
            batch_size=1000,
        )
        Task.assignees.through.objects.bulk_create(
            [
                Task.assignees.through(task_id=t.pk, user_id=by_name[name].pk)
                for t, r in zip(tasks, rows, strict=True)
                for name in r["assignees"].split(",")
            ],
            batch_size=5000,
        )
        Task.tags.through.objects.bulk_create(
            [
                Task.tags.through(task_id=t.pk, tag_id=by_name[name].pk)
                for t, r in zip(tasks, rows, strict=True)
                for name in r["tags"].split(",")
            ],
            batch_size=5000,
        )
        return time.perf_counter() - started

    def export(self, count: int) -> None:
        team, lead, people, tags = self.world("BENCHD")
        for start in range(0, count, 5000):
            batch = Task.objects.bulk_create(
                [
                    Task(team=team, number=i + 1, title=f"Exported task {i}", description="=1+1")
                    for i in range(start, min(count, start + 5000))
                ]
            )
            Task.assignees.through.objects.bulk_create(
                [
                    Task.assignees.through(task_id=t.pk, user_id=people[t.number % PEOPLE].pk)
                    for t in batch
                ]
            )
            Task.tags.through.objects.bulk_create(
                [Task.tags.through(task_id=t.pk, tag_id=tags[t.number % TAGS].pk) for t in batch]
            )
        queryset = tasks_for_sheet(lead)
        sheet = TaskResource()
        before = _rss_mb()
        peak = [before]

        def sampled(rows):
            for done, row in enumerate(rows, start=1):
                if done % 1000 == 0:
                    peak[0] = max(peak[0], _rss_mb())
                yield row

        started, cpu = time.perf_counter(), time.process_time()
        with tempfile.TemporaryFile() as out:  # a file, as the export job writes
            written = write_xlsx(out, sheet.headers(queryset), sampled(sheet.rows(queryset)))
            size = out.tell()
            peak[0] = max(peak[0], _rss_mb())
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        growth = peak[0] - before
        self.stdout.write(f"Export of {written} tasks to XLSX (streaming):")
        self.stdout.write(
            f"  {took:.2f} s, {written / took:,.0f} rows/s ({cpu:.2f} s of this process's CPU)"
        )
        self.stdout.write(f"  peak memory growth {growth:.1f} MB (the file is {size / 1e6:.1f} MB)")
        started, cpu = time.perf_counter(), time.process_time()
        with tempfile.TemporaryFile() as out:
            written = write_csv(out, sheet.headers(queryset), sheet.rows(queryset))
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        self.stdout.write(f"Export of {written} tasks to CSV:")
        self.stdout.write(
            f"  {took:.2f} s, {written / took:,.0f} rows/s ({cpu:.2f} s of this process's CPU)"
        )
