"""Once-per-deploy steps: database migrations, then the background job schedules.

compose runs this in the one-shot `migrate` service; web and worker start only after it
exits successfully (see docs/operations.md for why it is not in the web entrypoint).
Both steps are idempotent, so running it twice is harmless.
"""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

# The schedule set-up lives with the jobs (portal/jobs); it is run when present.
SCHEDULE_COMMANDS = ("setup_schedules",)


class Command(BaseCommand):
    help = "Apply migrations and set up the background job schedules (run once per deploy)."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=options["verbosity"])
        available = get_commands()
        for name in SCHEDULE_COMMANDS:
            if name in available:
                call_command(name, verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS("deploy steps done"))
