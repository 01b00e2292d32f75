"""`manage.py import SHEET FILE --user NAME [--dry-run]`: import as that person, all or nothing.

Replaces django-import-export's own `import` command (this app comes first in INSTALLED_APPS):
the rows are checked and written by the resource through the services, with the person's
roles, and every error is printed with its row and cell.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from portal.core.sheet_reading import SpreadsheetError
from portal.spreadsheets.commands import acting_user
from portal.spreadsheets.registry import SHEETS, sheet_named
from portal.spreadsheets.services import sheet_import

IMPORT_FAILED = "Nothing was imported: {errors} error(s)."


class Command(BaseCommand):
    help = "Import a CSV or XLSX sheet (tasks, ...) as the given person, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("resource", help=f"One of {', '.join(SHEETS)}, or its dotted path.")
        parser.add_argument("import_file_name", help='The file to import ("-" for stdin).')
        parser.add_argument("--user", required=True, help="Username or email of the person.")
        parser.add_argument("-n", "--dry-run", action="store_true", help="Check and count only.")
        parser.add_argument(
            "--format", help="csv or xlsx (default: from the file's name and contents)."
        )
        parser.add_argument(
            "--skip-lookalikes",
            action="store_true",
            help="Leave out rows without a key that look like a task that exists.",
        )

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        name = options["import_file_name"]
        try:
            sheet = sheet_named(options["resource"]).name
            if name == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(name, "rb") as source:
                    data = source.read()
            result = sheet_import(
                user=user,
                sheet=sheet,
                data=data,
                fmt=options["format"],
                name=name,
                dry_run=options["dry_run"],
                skip_lookalikes=options["skip_lookalikes"],
                background=False,
            ).result
        except (SpreadsheetError, OSError) as exc:
            raise CommandError(str(exc)) from None
        for problem in result.problems:
            self.stderr.write(f"row {problem.row}, {problem.label}: {problem.message}")
        for change in result.changes:
            cells = "; ".join(
                f"{column}: {old!r} -> {new!r}" for column, (old, new) in change.changes.items()
            )
            self.stdout.write(f"row {change.row}, {change.key}: {cells}")
        for warning in result.warnings:
            self.stdout.write(f"Warning: {warning}")
        counts = result.counts()
        self.stdout.write(
            "{verb}: {new} new, {updated} updated, {unchanged} unchanged, {errors} error(s).".format(
                verb="Checked" if options["dry_run"] else "Imported", **counts
            )
        )
        if result.problems:
            raise CommandError(IMPORT_FAILED.format(errors=counts["errors"]))
