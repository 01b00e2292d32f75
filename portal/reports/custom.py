"""The team's custom fields in its report: how the tasks created in the range spread over each
choice field's choices, and the count, sum and average of each number field. One query for
all the fields together (after the one that reads the definitions)."""

from __future__ import annotations

from django.db.models import Avg, Count, FloatField, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from portal.reports.selectors import ReportRange, _team_tasks
from portal.tasks.custom_fields import CHOICE_TYPES, fields_of
from portal.tasks.custom_filters import value_q
from portal.tasks.models import CustomField, FieldType
from portal.tasks.querysets import active_q

NO_VALUE = "(no value)"


def reported_fields(team) -> list[CustomField]:
    """The team's shown fields a report sums up: choices and numbers, in their order."""
    kinds = {*CHOICE_TYPES, FieldType.NUMBER}
    return [f for f in fields_of(team.pk) if f.type in kinds]


def custom_field_figures(
    *, fetched_by, team, span: ReportRange, fields: list[CustomField]
) -> dict[str, dict]:
    """Per field key, over the tasks created in the range and not archived (one query):
    choices `{"choices": [{"label", "count"}, ...], "none": n}` (a task with several choices
    counts once for each), numbers `{"filled": n, "sum": x, "average": y}`."""
    if not fields:
        return {}
    aggregates = {}
    for i, field in enumerate(fields):
        missing = ~Q(custom_fields__has_key=field.key)
        if field.type in CHOICE_TYPES:
            aggregates[f"f{i}_none"] = Count("id", filter=missing)
            for j, choice in enumerate(field.choices):
                aggregates[f"f{i}_c{j}"] = Count("id", filter=value_q(field, "", choice["id"]))
        else:
            number = Cast(KeyTextTransform(field.key, "custom_fields"), FloatField())
            aggregates[f"f{i}_filled"] = Count("id", filter=~missing)
            aggregates[f"f{i}_sum"] = Sum(number)
            aggregates[f"f{i}_avg"] = Avg(number)
    found = (
        _team_tasks(fetched_by, team)
        .filter(active_q(), created_at__gte=span.start, created_at__lt=span.end)
        .aggregate(**aggregates)
    )
    figures: dict[str, dict] = {}
    for i, field in enumerate(fields):
        if field.type in CHOICE_TYPES:
            figures[field.key] = {
                "choices": [
                    {"label": c["label"], "count": found[f"f{i}_c{j}"]}
                    for j, c in enumerate(field.choices)
                ],
                "none": found[f"f{i}_none"],
            }
        else:
            figures[field.key] = {
                "filled": found[f"f{i}_filled"],
                "sum": _rounded(found[f"f{i}_sum"], field.decimals),
                "average": _rounded(found[f"f{i}_avg"], max(field.decimals, 1) + 1),
            }
    return figures


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)
