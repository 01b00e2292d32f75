import json

from django.core.management.base import BaseCommand, CommandError

from portal.jobs.registry import UnknownJobKind, kinds
from portal.jobs.runner import run_job
from portal.jobs.services import job_start

BAD_PARAM = "Parameters are key=value (the value may be JSON, e.g. seconds=5 or fail=true): {arg}"


def parse_param(arg: str) -> tuple[str, object]:
    key, sep, raw = arg.partition("=")
    if not sep or not key:
        raise CommandError(BAD_PARAM.format(arg=arg))
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


class Command(BaseCommand):
    help = (
        "Start a background job as a job record, e.g. "
        "`start_job daily_summary date=2026-11-26` (a worker runs it), or run it here with --here."
    )

    def add_arguments(self, parser):
        names = ", ".join(k.name for k in kinds())
        parser.add_argument("kind", help=f"one of: {names}")
        parser.add_argument("params", nargs="*", help="key=value parameters")
        parser.add_argument(
            "--here",
            action="store_true",
            help="run it in this process instead of a worker (still recorded)",
        )

    def handle(self, *args, kind, params, here, **options):
        values = dict(parse_param(arg) for arg in params)
        try:
            job = job_start(kind, requester=None, **values)
        except UnknownJobKind as exc:
            raise CommandError(str(exc)) from exc
        if not here:
            self.stdout.write(f"job #{job.pk} ({kind}) queued")
            return
        outcome = run_job(job.pk)
        job.refresh_from_db()
        self.stdout.write(f"job #{job.pk} ({kind}) {outcome}: {json.dumps(job.result)}")
        if job.error:
            raise CommandError(job.error.splitlines()[0])
