from django.core.management.base import BaseCommand

from portal.jobs.schedules import setup_schedules


class Command(BaseCommand):
    help = "Create or update the portal's django-q2 schedules (safe to run any number of times)."

    def handle(self, *args, **options):
        for name, outcome in setup_schedules().items():
            self.stdout.write(f"{name}: {outcome}")
