"""`manage.py import SHEET FILE --user NAME [--dry-run]`: import as that person, all or nothing.

Replaces django-import-export's own `import` command (this app comes first in INSTALLED_APPS):
the rows are checked and written by the resource through the services, with the person's
roles, and every error is printed with its row and cell.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from portal.adminsite.sheet_commands import acting_user
from portal.core.spreadsheets import (
    SHEETS,
    SpreadsheetError,
    file_format_of,
    read_table,
    sheet_resource,
    upload_limits,
)

IMPORT_FAILED = "Nothing was imported: {errors} error(s)."


class Command(BaseCommand):
    help = "Import a CSV or XLSX sheet (tasks, ...) as the given person, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("resource", help=f"One of {', '.join(SHEETS)}, or its dotted path.")
        parser.add_argument("import_file_name", help='The file to import ("-" for stdin).')
        parser.add_argument("--user", required=True, help="Username or email of the person.")
        parser.add_argument("-n", "--dry-run", action="store_true", help="Check and count only.")
        parser.add_argument("--format", help="csv or xlsx (default: from the file's name).")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        name = options["import_file_name"]
        try:
            resource_class = sheet_resource(options["resource"])
            fmt = (options["format"] or "").lower() or file_format_of(name)
            if name == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(name, "rb") as source:
                    data = source.read()
            table = read_table(data, fmt, **upload_limits())
        except (SpreadsheetError, OSError) as exc:
            raise CommandError(str(exc)) from None
        result = resource_class().import_data(table, dry_run=options["dry_run"], user=user)
        for problem in result.problems:
            self.stderr.write(f"row {problem.row}, {problem.label}: {problem.message}")
        counts = result.counts()
        self.stdout.write(
            "{verb}: {new} new, {updated} updated, {unchanged} unchanged, {errors} error(s).".format(
                verb="Checked" if options["dry_run"] else "Imported", **counts
            )
        )
        if result.problems:
            raise CommandError(IMPORT_FAILED.format(errors=counts["errors"]))
