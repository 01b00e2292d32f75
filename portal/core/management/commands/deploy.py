"""Once-per-deploy steps: database migrations, then the background job schedules.

compose runs this in the one-shot `migrate` service; web and worker start only after it
exits successfully (see docs/operations.md for why it is not in the web entrypoint).
Both steps are idempotent, so running it twice is harmless. Their output goes to the log, a
line per record (JSON in production like every other log line), not to plain stdout.
"""

import logging

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

logger = logging.getLogger("portal.deploy")

# The schedule set-up lives with the jobs (portal/jobs); it is run when present.
SCHEDULE_COMMANDS = ("setup_schedules",)


class Command(BaseCommand):
    help = "Apply migrations and set up the background job schedules (run once per deploy)."

    def handle(self, *args, **options):
        output = LogLines(logger)
        call_command("migrate", interactive=False, verbosity=options["verbosity"], stdout=output)
        available = get_commands()
        for name in SCHEDULE_COMMANDS:
            if name in available:
                call_command(name, verbosity=options["verbosity"], stdout=output)
        output.flush()
        logger.info("deploy steps done")


class LogLines:
    """A stream for a command's stdout: each complete line becomes one log record."""

    def __init__(self, log: logging.Logger):
        self.log = log
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if line.strip():
                self.log.info(line.strip())
        return len(text)

    def flush(self) -> None:
        if self.pending.strip():
            self.log.info(self.pending.strip())
        self.pending = ""

    def isatty(self) -> bool:
        return False
