"""`manage.py benchmark`: build a scratch data set, measure every door next to its floor.

See docs/benchmarks.md for what each row measures, its floor and its target.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.test.utils import override_settings

from portal.devtools import data as dataset
from portal.devtools import report
from portal.devtools.measures import NAMES, Bench, BenchmarkError, machine

REFUSED = (
    "The database already holds data ({what}). The benchmark builds its own data set of teams, "
    "people and tasks and would mix with them: run it on an empty database, or pass --force to "
    "build beside them (an earlier kept benchmark data set is replaced)."
)
NOT_MIGRATED = "The database has no portal tables yet ({error}): run `manage.py migrate` first."
UNKNOWN = "Unknown measure(s) for --only: {names}. Choose from: {choices}."
NOT_A_RUN = "Cannot read a saved run from {path}: {error}"
FAILED = "The benchmark stopped (the data set was {what}): {error}"
KEPT = "The data set was kept. Sign in as {username} with the password {password}"
KEPT_PEOPLE = (
    "These people have the same password (leads and members, for the load test):\n"
    "LOAD_PEOPLE={people}"
)
# People given the runner's password by --keep, so that a load test signs in as many persons.
LOAD_PEOPLE = 50


class Command(BaseCommand):
    help = "Build a scratch data set and measure the portal's doors against their floors."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tasks", type=int, default=100_000, help="Tasks in the data set (100,000)."
        )
        parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
        parser.add_argument(
            "--markdown", action="store_true", help="Print the table as Markdown (for the docs)."
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="NAME",
            help=f"Measure only these (repeat or comma-separate): {', '.join(NAMES)}.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds teams, tasks or people.",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Leave the data set in place and print a username and password to sign in.",
        )
        parser.add_argument(
            "--iterations", type=int, default=20, help="Timed calls per measure (20)."
        )
        parser.add_argument("--warmup", type=int, default=3, help="Warm-up calls per measure (3).")
        parser.add_argument(
            "--password", default=None, help="The measuring person's password (random if unset)."
        )
        parser.add_argument(
            "--sheet-rows", type=int, default=2000, help="Rows in the import measure (2,000)."
        )
        parser.add_argument(
            "--from-json",
            metavar="FILE",
            help="Print a run saved with --json again (as a table or --markdown); measures nothing.",
        )
        parser.add_argument(
            "--export-rows", type=int, default=20_000, help="Rows in the export measure (20,000)."
        )
        parser.add_argument(
            "--cf-sheet-rows",
            type=int,
            default=10_000,
            help="Rows in the import with five custom columns (10,000).",
        )
        parser.add_argument(
            "--summary-teams",
            type=int,
            default=2000,
            help="Teams the data set's tasks are spread over in daily_summary_many (2,000).",
        )
        parser.add_argument(
            "--events",
            type=int,
            default=1000,
            help="Events dispatched and webhook deliveries sent per outbox measure (1,000).",
        )

    def handle(self, *args, **options):
        if options["from_json"]:
            try:
                with open(options["from_json"], encoding="utf-8") as saved:
                    doc = json.load(saved)
            except (OSError, ValueError) as exc:
                raise CommandError(NOT_A_RUN.format(path=options["from_json"], error=exc)) from exc
            self._print(doc, options)
            return
        if options["tasks"] < 1:
            raise CommandError("--tasks must be at least 1.")
        if options["events"] < 1:
            raise CommandError("--events must be at least 1.")
        only = self._only(options["only"])
        try:
            found = dataset.holds_data()
        except DatabaseError as exc:
            raise CommandError(NOT_MIGRATED.format(error=exc)) from exc
        if found and not options["force"]:
            what = ", ".join(f"{name}: {count}" for name, count in found.items())
            raise CommandError(REFUSED.format(what=what))
        started = time.perf_counter()
        with ExitStack() as stack:
            shared = stack.enter_context(tempfile.TemporaryDirectory(prefix="benchmark-"))
            stack.enter_context(self._settings(shared))
            # One JSON log line per request would bury the table (warnings still show), and
            # a log line of the earlier set's removal would spoil --json's output.
            logging.disable(logging.INFO)
            stack.callback(logging.disable, logging.NOTSET)
            if dataset.exists():
                dataset.remove()
            if not options["keep"]:
                stack.callback(dataset.remove)
            built = time.perf_counter()
            data = dataset.build(options["tasks"], password=options["password"])
            data.seconds = time.perf_counter() - built
            try:
                doc = self._run(data, only, options)
            except BenchmarkError as exc:
                # A door answering an error is a finding, said plainly (not a traceback).
                what = "kept" if options["keep"] else "removed"
                raise CommandError(FAILED.format(what=what, error=exc)) from exc
        doc["seconds"] = time.perf_counter() - started
        if options["keep"]:
            people = dataset.share_password(data, count=LOAD_PEOPLE)
            doc["sign_in"] = {
                "username": data.runner.username,
                "password": data.password,
                "people": people,
            }
        self._print(doc, options)

    def _only(self, values: list[str]) -> list[str]:
        names = [n.strip() for value in values for n in value.split(",") if n.strip()]
        unknown = sorted(set(names) - set(NAMES))
        if unknown:
            raise CommandError(UNKNOWN.format(names=", ".join(unknown), choices=", ".join(NAMES)))
        return [n for n in NAMES if n in names] if names else list(NAMES)

    def _settings(self, shared: str):
        rest = dict(settings.REST_FRAMEWORK)
        # The limits are per client and minute; a benchmark is one client calling fast.
        rest["DEFAULT_THROTTLE_RATES"] = {
            scope: "1000000/min" for scope in rest.get("DEFAULT_THROTTLE_RATES", {})
        }
        return override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            # Summaries are written and mailed for real, but not to real inboxes or files.
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SHARED_DIR=shared,
            REST_FRAMEWORK=rest,
            # The webhook measure's receiver listens on 127.0.0.1.
            WEBHOOKS_ALLOW_PRIVATE=True,
        )

    def _run(self, data: dataset.DataSet, only: list[str], options) -> dict:
        bench = Bench(
            data,
            iterations=options["iterations"],
            warmup=options["warmup"],
            sheet_rows=min(options["sheet_rows"], options["tasks"]),
            export_rows=min(options["export_rows"], options["tasks"]),
            events=options["events"],
            cf_sheet_rows=options["cf_sheet_rows"],
            summary_teams=options["summary_teams"],
        )
        explain = None
        try:
            for name in only:
                if name == "explain":
                    explain = bench.explain()
                else:
                    getattr(bench, name)()
                    if options["verbosity"] > 1:
                        self.stderr.write(f"measured {name}")
        finally:
            bench.close()
        doc = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "tasks": options["tasks"],
            "iterations": bench.iterations,
            "warmup": bench.warmup,
            "machine": machine(),
            "dataset": {
                "counts": data.counts,
                "seconds": data.seconds,
                "phases": data.phases,
                "kept": options["keep"],
            },
            "measures": [row.as_dict() for row in bench.rows.values()],
        }
        if explain is not None:
            doc["explain"] = explain
        return doc

    def _print(self, doc: dict, options) -> None:
        if options["json"]:
            self.stdout.write(report.as_json(doc))
            return
        self.stdout.write(report.markdown(doc) if options["markdown"] else report.text(doc))
        if "sign_in" in doc:
            self.stdout.write("")
            self.stdout.write(KEPT.format(**doc["sign_in"]))
            self.stdout.write(KEPT_PEOPLE.format(people=",".join(doc["sign_in"]["people"])))
