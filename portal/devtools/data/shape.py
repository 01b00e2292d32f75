"""The data set's shape at scale and the words its titles, descriptions and comments are made of."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from portal.accounts.models import User
from portal.teams.models import Team

PREFIX = "bench-"
RUNNER = f"{PREFIX}runner"
SCALE = 100_000
TEAMS = 20
PEOPLE_AT_SCALE = 500
TAG_NAMES = [
    "backend",
    "frontend",
    "infra",
    "security",
    "billing",
    "mobile",
    "api",
    "docs",
    "ux",
    "performance",
    "database",
    "network",
    "release",
    "hotfix",
    "research",
    "design",
    "legal",
    "support",
    "analytics",
    "payments",
    "search",
    "auth",
    "email",
    "queue",
    "storage",
    "monitoring",
    "compliance",
    "onboarding",
    "i18n",
    "accessibility",
]
TEAM_NAMES = [
    "Platform",
    "Payments",
    "Mobile",
    "Web",
    "Data",
    "Growth",
    "Security",
    "Infrastructure",
    "Support",
    "Search",
    "Identity",
    "Billing",
    "Analytics",
    "Design",
    "Docs",
    "Quality",
    "Release",
    "Networking",
    "Storage",
    "Integrations",
]
VERBS = [
    "Fix",
    "Update",
    "Refactor",
    "Investigate",
    "Review",
    "Document",
    "Migrate",
    "Remove",
    "Add",
    "Improve",
    "Test",
    "Upgrade",
    "Monitor",
    "Automate",
    "Rewrite",
    "Configure",
    "Audit",
    "Measure",
    "Design",
]
OBJECTS = [
    "login form",
    "billing page",
    "search index",
    "email queue",
    "invoice export",
    "cache layer",
    "user settings",
    "mobile menu",
    "report job",
    "audit log",
    "password reset",
    "rate limiter",
    "webhook handler",
    "onboarding flow",
    "dashboard charts",
    "API pagination",
    "tag editor",
    "file upload",
    "session store",
    "backup script",
    "alert rules",
    "error page",
    "sign-up form",
    "team page",
    "date picker",
]
QUALIFIERS = [
    "for the new plan",
    "before the release",
    "on staging",
    "for large teams",
    "after the outage",
    "in the admin",
    "for screen readers",
    "on slow networks",
    "for the audit",
    "in production",
]
SENTENCES = (
    "Customers reported this twice last week.",
    "See the notes from the planning meeting for the details.",
    "The current behaviour is confusing and slow on large accounts.",
    "Check the logs from the last incident before changing anything.",
    "Keep the old path working until every client has moved.",
    "This blocks the quarterly report for the finance team.",
    "Add tests that cover the empty case and the error case.",
    "Ask the support team which customers are affected.",
    "Measure before and after, and write the numbers in the ticket.",
    "The design is in the shared folder; comments welcome.",
)
# Words that make `search=deploy` find about 18% of the tasks (in the title or description).
DEPLOY_SHARE = 0.18
DEPLOY_TITLES = ("Deploy", "Plan the deploy of", "Roll back the deploy of")
DEPLOY_SENTENCE = "Needs a deployment window with the operations team."
COMMENTS = (
    "Looks good to me.",
    "I can take this one tomorrow.",
    "Blocked on the review, pinged the owner.",
    "Done on staging, waiting for production.",
    "Can we split this into two tasks?",
    "Added a screenshot of the error.",
    "Moved the due date, the release slipped.",
)
STATUSES = (("todo", 40), ("in_progress", 25), ("blocked", 10), ("done", 25))
PRIORITIES = (("low", 25), ("medium", 40), ("high", 25), ("urgent", 10))
BATCH = 5000


@dataclass
class Shape:
    """How many rows of each kind a data set of `tasks` tasks holds."""

    tasks: int
    teams: int = TEAMS
    people: int = 0
    tags: int = len(TAG_NAMES)

    def __post_init__(self):
        # At least a few people per team, so every team has members to assign.
        self.people = self.people or max(3 * self.teams, PEOPLE_AT_SCALE * self.tasks // SCALE)


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _team_key(index: int) -> str:
    # BNA, BNB, ... BNZ, BNAA: upper-case letters only, as team keys must be.
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return f"BN{letters}"


def _text(rng: random.Random, deploy: bool) -> tuple[str, str]:
    thing = rng.choice(OBJECTS)
    where = rng.choice(QUALIFIERS)
    words = rng.sample(SENTENCES, rng.randint(1, 3))
    if deploy and rng.random() < 0.5:
        title = f"{rng.choice(DEPLOY_TITLES)} the {thing} {where}"
    else:
        title = f"{rng.choice(VERBS)} the {thing} {where}"
        if deploy:
            words.insert(rng.randint(0, len(words)), DEPLOY_SENTENCE)
    return title[:200], " ".join(words)


@dataclass
class DataSet:
    """What was built: the measuring person, the teams and counts, for the measurements."""

    runner: User
    password: str
    teams: list[Team]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Writers (leads and members) per team id, for assignees in the create measurement.
    writers: dict[int, list[int]] = field(default_factory=dict)
    tag_ids: list[int] = field(default_factory=list)
    # Seconds spent in each step of the build (where set-up time goes).
    phases: dict[str, float] = field(default_factory=dict)
