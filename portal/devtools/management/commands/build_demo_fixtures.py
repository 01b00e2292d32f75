"""Write the demo fixtures in fixtures/ (deterministic: the same files every run).

Dates are written relative to DEMO_ANCHOR; `manage.py demo` shifts them to the day it loads
them, so "overdue" and "due soon" stay true whenever the demo is started.
"""

import json
import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.demo.management.commands.demo import DEMO_ANCHOR

# pbkdf2 hash of the documented demo password "Demo-pass-2026!" (demo only).
DEMO_PASSWORD_HASH = (
    "pbkdf2_sha256$1000000$portaldemosalt01$IaFwnlqWf8aR9GwWvnAoKpcX73l7LG8diAUYw5hCBVA="
)

TEAMS = [
    (
        1,
        "Operations",
        "operations",
        "OPS",
        "Keeps the lights on: infrastructure, on-call, releases.",
    ),
    (2, "Product Design", "product-design", "DES", "Research, UX and visual design."),
    (3, "Customer Success", "customer-success", "CS", "Onboarding, support escalations, renewals."),
]
# id, username, first, last, memberships [(team_id, role)]
PEOPLE = [
    (2, "olivia", "Olivia", "Hart", [(1, "lead")]),
    (3, "marcus", "Marcus", "Bell", [(1, "member")]),
    (4, "priya", "Priya", "Raman", [(1, "member"), (2, "member")]),
    (5, "tom", "Tom", "Eriksen", [(1, "viewer")]),
    (6, "dana", "Dana", "Kowalski", [(2, "lead")]),
    (7, "leo", "Leo", "Moreau", [(2, "member")]),
    (8, "sara", "Sara", "Nakamura", [(2, "viewer")]),
    (9, "ines", "Inês", "Carvalho", [(3, "lead")]),
    (10, "james", "James", "Okafor", [(3, "member")]),
    (11, "mia", "Mia", "Schulz", [(3, "member")]),
    (12, "noah", "Noah", "Fischer", [(3, "viewer")]),
    (13, "ava", "Ava", "Lindqvist", [(1, "member"), (3, "member")]),
]
TAGS = [
    (1, "bug", "#E53935"),
    (2, "feature", "#1E88E5"),
    (3, "infra", "#6D4C41"),
    (4, "security", "#8E24AA"),
    (5, "ux", "#00897B"),
    (6, "customer", "#FB8C00"),
    (7, "docs", "#546E7A"),
    (8, "quick-win", "#43A047"),
]
TITLES = {
    1: [
        "Rotate TLS certificates on the edge proxies",
        "Upgrade PostgreSQL replicas to 15.x",
        "Add disk alerts for the build cache",
        "Write the on-call runbook for Redis failover",
        "Move nightly backups to the new bucket",
        "Patch kernel on worker nodes",
        "Trim log retention on staging",
        "Automate release notes generation",
        "Investigate slow deploys on Mondays",
        "Replace the legacy cron host",
        "Set up uptime checks for the status page",
        "Audit firewall rules",
        "Benchmark the new instance types",
        "Clean up unused DNS records",
        "Document the incident review process",
    ],
    2: [
        "Redesign the onboarding checklist",
        "Usability test: task filters",
        "Dark mode colour tokens",
        "Icon set for task priorities",
        "Empty states for the dashboard",
        "Accessibility audit of forms",
        "Mobile layout for the task list",
        "Interview five team leads",
        "Prototype the weekly report",
        "Typography scale review",
        "Design the import wizard",
        "Illustrations for the help centre",
        "Tidy the component library",
        "Map the sign-up journey",
    ],
    3: [
        "Onboard Northwind Traders",
        "Renewal call with Globex",
        "Escalation: export fails for Initech",
        "Quarterly review deck for Umbrella",
        "Translate the FAQ into German",
        "Follow up on NPS detractors",
        "Training session for Stark Industries",
        "Health check for dormant accounts",
        "Collect feature requests from Q3 calls",
        "Update the support macros",
        "Prepare the churn report",
        "Webinar: getting started with teams",
        "Refresh the help centre screenshots",
    ],
}
STATUSES = ["todo", "in_progress", "blocked", "done"]
PRIORITIES = ["low", "medium", "high", "urgent"]
COMMENTS = [
    "I can pick this up tomorrow morning.",
    "Blocked on access to the staging account.",
    "Done on my side, please review.",
    "Customer confirmed the fix works.",
    "Moved the deadline after the planning meeting.",
    "Added notes from the call to the description.",
    "Can we split this into two smaller tasks?",
    "Looks good to me.",
]


def _ts(delta_days: float) -> str:
    return (DEMO_ANCHOR + timedelta(days=delta_days)).isoformat().replace("+00:00", "Z")


def _ts(delta_days: float) -> str:
    return (DEMO_ANCHOR + timedelta(days=delta_days)).isoformat().replace("+00:00", "Z")


def _users() -> list[dict]:
    return [
        {
            "model": "accounts.user",
            "pk": pk,
            "fields": {
                "username": username,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "password": DEMO_PASSWORD_HASH,
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
                "date_joined": _ts(-200),
                "receive_daily_summary": role_list[0][1] == "lead",
            },
        }
        for pk, username, first, last, role_list in PEOPLE
    ]


def _teams() -> list[dict]:
    return [
        {
            "model": "teams.team",
            "pk": pk,
            "fields": {
                "name": name,
                "slug": slug,
                "key": key,
                "description": description,
                "last_task_number": 0,
                "created_at": _ts(-200),
                "updated_at": _ts(-200),
            },
        }
        for pk, name, slug, key, description in TEAMS
    ]


def _memberships() -> tuple[list[dict], dict[int, list[int]]]:
    """The memberships, and the people of each team who may be given tasks (not viewers)."""
    memberships = []
    members_by_team: dict[int, list[int]] = {}
    for pk, _username, _f, _l, role_list in PEOPLE:
        for team_id, role in role_list:
            memberships.append(
                {
                    "model": "teams.membership",
                    "pk": len(memberships) + 1,
                    "fields": {
                        "user": pk,
                        "team": team_id,
                        "role": role,
                        "joined_at": _ts(-190)[:10],
                        "created_at": _ts(-190),
                        "updated_at": _ts(-190),
                    },
                }
            )
            if role != "viewer":
                members_by_team.setdefault(team_id, []).append(pk)
    return memberships, members_by_team


def _tags() -> list[dict]:
    return [
        {
            "model": "tasks.tag",
            "pk": pk,
            "fields": {
                "name": name,
                "color": color,
                "created_at": _ts(-200),
                "updated_at": _ts(-200),
            },
        }
        for pk, name, color in TAGS
    ]


class _TaskWriter:
    """The demo tasks and their comments, drawn from one seeded random sequence.

    The draws happen in a fixed order (the fixtures are the same files every run), so a change
    here that draws in another order changes every task after it.
    """

    def __init__(self, members_by_team: dict[int, list[int]]):
        self.rng = random.Random(20260115)
        self.members_by_team = members_by_team
        self.tasks: list[dict] = []
        self.comments: list[dict] = []
        self.numbers = {team_id: 0 for team_id, *_ in TEAMS}
        self.first_tasks: dict[int, list[int]] = {}

    def write_all(self) -> None:
        """Four rounds over the teams' titles (later rounds are "phase N"), up to 150 tasks."""
        for round_ in range(4):
            for team_id, *_ in TEAMS:
                for title in TITLES[team_id]:
                    if len(self.tasks) >= 150:
                        break
                    self._task(round_, team_id, title)

    def _due(self) -> float | None:
        due_kind = self.rng.random()
        if due_kind < 0.2:
            return -self.rng.uniform(1, 10)  # overdue unless done
        if due_kind < 0.45:
            return self.rng.uniform(0.2, 7)  # due soon
        if due_kind < 0.8:
            return self.rng.uniform(8, 40)
        return None

    def _task(self, round_: int, team_id: int, title: str) -> None:
        rng = self.rng
        task_pk = len(self.tasks) + 1
        self.numbers[team_id] += 1
        created = -rng.uniform(1, 60)
        status = STATUSES[(task_pk + round_) % 4] if rng.random() > 0.2 else "todo"
        due = self._due()
        done_at = created + rng.uniform(0.5, -created) if status == "done" else None
        archived = status == "done" and rng.random() < 0.25
        parent = None
        if round_ > 0 and rng.random() < 0.15 and self.first_tasks.get(team_id):
            parent = rng.choice(self.first_tasks[team_id])
        people = self.members_by_team[team_id]
        assignees = sorted(rng.sample(people, k=min(len(people), rng.choice([0, 1, 1, 2]))))
        tag_ids = sorted(rng.sample([t[0] for t in TAGS], k=rng.choice([0, 1, 1, 2, 3])))
        creator = rng.choice(people)
        estimate = rng.choice([None, "1.00", "2.50", "4.00", "8.00", "16.00"])
        actual = None
        if status == "done" and estimate:
            actual = f"{float(estimate) * rng.uniform(0.6, 1.6):.2f}"
        suffix = "" if round_ == 0 else f" (phase {round_ + 1})"
        self.tasks.append(
            {
                "model": "tasks.task",
                "pk": task_pk,
                "fields": {
                    "team": team_id,
                    "number": self.numbers[team_id],
                    "title": f"{title}{suffix}",
                    "description": f"{title}. Owner: see assignees. "
                    "Acceptance: agreed with the team lead.",
                    "status": status,
                    "priority": rng.choice(PRIORITIES),
                    "due_date": _ts(due) if due is not None else None,
                    "estimated_hours": estimate,
                    "actual_hours": actual,
                    "created_by": creator,
                    "assignees": assignees,
                    "tags": tag_ids,
                    "parent": parent,
                    "metadata": {"source": rng.choice(["meeting", "email", "chat"])},
                    "is_archived": archived,
                    "archived_at": _ts(done_at + 1) if archived else None,
                    "completed_at": _ts(done_at) if done_at is not None else None,
                    "created_at": _ts(created),
                    "updated_at": _ts(done_at if done_at is not None else created),
                },
            }
        )
        if round_ == 0:
            self.first_tasks.setdefault(team_id, []).append(task_pk)
        self._comments(task_pk, people, created)

    def _comments(self, task_pk: int, people: list[int], created: float) -> None:
        for _ in range(self.rng.choice([0, 0, 1, 2, 3])):
            self.comments.append(
                {
                    "model": "tasks.comment",
                    "pk": len(self.comments) + 1,
                    "fields": {
                        "task": task_pk,
                        "author": self.rng.choice(people),
                        "body": self.rng.choice(COMMENTS),
                        "created_at": _ts(created + 0.5),
                        "updated_at": _ts(created + 0.5),
                    },
                }
            )


class Command(BaseCommand):
    help = "Regenerate the demo fixtures in fixtures/ (deterministic)."

    def handle(self, *args, **options):
        out = Path(settings.BASE_DIR) / "fixtures"
        out.mkdir(exist_ok=True)
        users, teams, tags = _users(), _teams(), _tags()
        memberships, members_by_team = _memberships()
        writer = _TaskWriter(members_by_team)
        writer.write_all()
        for team in teams:
            team["fields"]["last_task_number"] = writer.numbers[team["pk"]]
        files = {
            "0001_users.json": users,
            "0002_teams.json": teams + memberships,
            "0003_tags.json": tags,
            "0004_tasks.json": writer.tasks,
            "0005_comments.json": writer.comments,
        }
        for name, rows in files.items():
            (out / name).write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
        self.stdout.write(
            f"Wrote {len(users)} users, {len(teams)} teams, {len(memberships)} memberships, "
            f"{len(tags)} tags, {len(writer.tasks)} tasks, {len(writer.comments)} comments "
            f"to {out.name}/"
        )
