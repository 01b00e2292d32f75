"""The data set's custom fields: five on every team (a choice, a number, a text, a date and a
person), filled on 80% of the tasks, as the custom fields issue measures them."""

from __future__ import annotations

import random
from datetime import timedelta

from portal.tasks.custom_fields import new_choice_id
from portal.tasks.models import CustomField, FieldType, Task
from portal.teams.models import Team

# Share of tasks with values (each field on its own).
FILLED = 0.8
SEVERITIES = ("S1", "S2", "S3", "S4")
COMPONENTS = ("api", "web", "billing", "search", "mobile", "reports", "auth", "exports")
# The fields every team gets: (key, name, type, extra definition fields).
FIELDS = (
    ("severity", "Severity", FieldType.CHOICE, {"on_card": True}),
    ("points", "Story points", FieldType.NUMBER, {"decimals": 1}),
    ("component", "Component", FieldType.TEXT, {}),
    ("review", "Review date", FieldType.DATE, {}),
    ("owner", "Owner", FieldType.PERSON, {}),
)


def define(teams: list[Team]) -> dict[int, dict[str, str]]:
    """The five fields on every team; the choice ids of each team's severities by label."""
    rows = []
    for team in teams:
        for order, (key, name, kind, extra) in enumerate(FIELDS):
            choices = (
                [{"id": new_choice_id(), "label": label} for label in SEVERITIES]
                if kind == FieldType.CHOICE
                else []
            )
            rows.append(
                CustomField(
                    team=team, key=key, name=name, type=kind, order=order, choices=choices, **extra
                )
            )
    CustomField.objects.bulk_create(rows)
    return {
        f.team_id: {c["label"]: c["id"] for c in f.choices}
        for f in rows
        if f.type == FieldType.CHOICE
    }


def values(rng: random.Random, task: Task, severities: dict[str, str], writers: list[int]) -> dict:
    """One task's custom values: each field filled on FILLED of the tasks."""
    found = {}
    if rng.random() < FILLED:
        found["severity"] = severities[rng.choice(SEVERITIES)]
    if rng.random() < FILLED:
        found["points"] = rng.choice((0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0))
    if rng.random() < FILLED:
        found["component"] = rng.choice(COMPONENTS)
    if rng.random() < FILLED:
        found["review"] = (task.created_at + timedelta(days=rng.randint(0, 90))).date().isoformat()
    if rng.random() < FILLED:
        found["owner"] = rng.choice(writers)
    return found
