"""`manage.py export FORMAT SHEET --user NAME`: a spreadsheet of what that person may see.

Replaces django-import-export's own `export` command (this app comes first in INSTALLED_APPS):
every export is made as a person, through the selectors, with formulas neutralised.
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.core.sheet_reading import FORMATS, SpreadsheetError
from portal.spreadsheets.commands import acting_user, parse_filters
from portal.spreadsheets.registry import SHEETS, sheet_named
from portal.spreadsheets.services import sheet_export


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
        try:
            sheet = sheet_named(options["resource"]).name
            export = sheet_export(
                user=user,
                sheet=sheet,
                fmt=options["format"].lower(),
                filters=parse_filters(options["filter"]),
                background=False,
            )
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            messages = (f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError("; ".join(messages)) from None
        if options["output"]:
            with open(options["output"], "wb") as out:
                count = export.write(out)
            self.stderr.write(f"{count} row(s) written to {options['output']}.")
        else:
            export.write(sys.stdout.buffer)
            sys.stdout.flush()
