"""Load the demo data once and make sure a demo superuser exists (used by `make run`)."""

import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from portal.accounts.models import User
from portal.core.history import record_m2m_snapshots
from portal.core.zones import zone
from portal.tasks.due import due_values
from portal.tasks.models import TASK_HISTORY, Comment, Task
from portal.teams.models import Team

FIXTURES = [
    "0001_users.json",
    "0002_teams.json",
    "0003_tags.json",
    "0004_tasks.json",
    "0005_comments.json",
]
DEMO_ADMIN = "admin"
DEMO_ADMIN_PASSWORD = "Admin-pass-2026!"
DEMO_USER_PASSWORD = "Demo-pass-2026!"
DEMO_URL = "http://127.0.0.1:8000/"

# The moment the demo fixtures' dates are written relative to (`manage.py build_demo_fixtures`,
# a development tool); loading shifts them to today.
DEMO_ANCHOR = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


class Command(BaseCommand):
    help = "Load the demo teams, people and tasks (once) and ensure the demo superuser exists."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload", action="store_true", help="Load the fixtures again even if teams exist."
        )
        parser.add_argument(
            "--url",
            default=DEMO_URL,
            help="Where the portal is served, for the printed addresses and logins "
            "(`make run` passes its HOST and PORT).",
        )

    def handle(self, *args, reload=False, url=DEMO_URL, **options):
        if Team.objects.exists() and not reload:
            self.stdout.write("Demo data already present: nothing loaded.")
        else:
            self._load()
        self._ensure_admin(url)

    @transaction.atomic
    def _load(self):
        fixtures_dir = settings.BASE_DIR / "fixtures"
        # History is written once below, not for every many-to-many row loaddata sets.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            for name in FIXTURES:
                call_command("loaddata", str(fixtures_dir / name), verbosity=0)
        self._current_hashes(fixtures_dir / FIXTURES[0])
        # Fixture dates are relative to DEMO_ANCHOR; move them to today so "overdue" and
        # "due soon" mean something whenever the demo is loaded.
        shift = timezone.now().replace(microsecond=0) - DEMO_ANCHOR
        shift -= shift % timedelta(days=1)
        Task.objects.update(
            created_at=F("created_at") + shift,
            updated_at=F("updated_at") + shift,
            due_date=F("due_date") + shift,
            completed_at=F("completed_at") + shift,
            archived_at=F("archived_at") + shift,
        )
        Comment.objects.update(
            created_at=F("created_at") + shift, updated_at=F("updated_at") + shift
        )
        self._due_days()
        # Give every demo row an initial history record ("created").
        call_command(
            "populate_history",
            "tasks.Task",
            "tasks.Comment",
            "teams.Team",
            "teams.Membership",
            verbosity=0,
        )
        # ...dated and signed as the demo row itself says.
        Task.history.filter(history_type="+").update(
            history_user_id=F("created_by_id"), history_date=F("created_at")
        )
        Comment.history.filter(history_type="+").update(
            history_user_id=F("author_id"), history_date=F("created_at")
        )
        # With their assignees and tags, so a first edit's history names only that edit.
        record_m2m_snapshots(TASK_HISTORY, list(Task.history.filter(history_type="+")))
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded demo data: {Team.objects.count()} teams, "
                f"{User.objects.filter(is_superuser=False).count()} people, "
                f"{Task.objects.count()} tasks."
            )
        )

    def _current_hashes(self, users_fixture) -> None:
        """The demo people's passwords hashed again with the first hasher (Argon2id in
        production): the fixtures hold PBKDF2 hashes, which a first sign-in would upgrade, and
        a new hash ends the person's other sessions (Django's rule), so two first sign-ins at
        once (two browsers, the load test's users) would end each other's."""
        names = [row["fields"]["username"] for row in json.loads(users_fixture.read_text())]
        people = list(User.objects.filter(username__in=names))
        for person in people:
            person.set_password(DEMO_USER_PASSWORD)
        User.objects.bulk_update(people, ["password"])

    def _due_days(self) -> None:
        """Most demo tasks are due on a day, as in most teams; every fifth keeps its time."""
        tasks = list(Task.objects.exclude(due_date=None).select_related("team").order_by("pk"))
        days = [task for task in tasks if task.number % 5]
        for task in days:
            day = timezone.localtime(task.due_date, zone(task.team.time_zone)).date()
            task.due_date, task.due_day = due_values(task.team, day)
        Task.objects.bulk_update(days, ["due_date", "due_day"])

    def _ensure_admin(self, url: str):
        base = url.rstrip("/")
        admin = User.objects.filter(username=DEMO_ADMIN).first()
        if admin is None:
            User.objects.create_superuser(DEMO_ADMIN, "admin@example.com", DEMO_ADMIN_PASSWORD)
            self.stdout.write(self.style.SUCCESS("Created the demo superuser."))
        self.stdout.write(
            "\n"
            f"  Team pages  -> {base}/\n"
            f"  Admin       -> {base}/admin/\n"
            f"  superuser   : {DEMO_ADMIN} / {DEMO_ADMIN_PASSWORD}\n"
            f"  team people : olivia (lead), marcus (member), tom (viewer), ... / "
            f"{DEMO_USER_PASSWORD}\n"
        )
