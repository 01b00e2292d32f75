"""`manage.py export FORMAT SHEET --user NAME`: a spreadsheet of what that person may see.

Replaces django-import-export's own `export` command (this app comes first in INSTALLED_APPS):
every export is made as a person, through the selectors, with formulas neutralised.
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.adminsite.sheet_commands import acting_user, parse_filters
from portal.core.spreadsheets import (
    FORMATS,
    SHEETS,
    SpreadsheetError,
    sheet_resource,
    sheet_rows_for,
    write_table,
)


class Command(BaseCommand):
    help = "Export a sheet (tasks, ...) as CSV or XLSX, as the given person sees it."

    def add_arguments(self, parser):
        parser.add_argument("format", choices=[*FORMATS, *(f.upper() for f in FORMATS)])
        parser.add_argument("resource", help=f"One of {', '.join(SHEETS)}, or its dotted path.")
        parser.add_argument("--user", required=True, help="Username or email of the person.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A list filter, as in the API (status=todo,blocked); may be repeated.",
        )
        parser.add_argument("-o", "--output", help="Write to this file instead of stdout.")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        fmt = options["format"].lower()
        try:
            resource_class = sheet_resource(options["resource"])
            queryset = sheet_rows_for(options["resource"], user, parse_filters(options["filter"]))
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            messages = (f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError("; ".join(messages)) from None
        resource = resource_class()
        if options["output"]:
            with open(options["output"], "wb") as out:
                count = write_table(out, fmt, resource.headers(), resource.rows(queryset))
            self.stderr.write(f"{count} row(s) written to {options['output']}.")
        else:
            write_table(sys.stdout.buffer, fmt, resource.headers(), resource.rows(queryset))
            sys.stdout.flush()
