"""A team's report as tables and charts: the selectors' numbers, shaped for the page and the
exports (the same tables feed the charts, the page's tables, CSV and XLSX)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.dates import show_date
from portal.core.spreadsheets import Sheet
from portal.jobs.selectors import summaries_visible_to
from portal.reports import selectors as rep

PRESETS = (30, 90, 365)
DEFAULT_DAYS = 90
MAX_DAYS = 731
EARLIEST = date(2000, 1, 1)
RANGE_ORDER = "The start must not be after the end."
RANGE_TOO_LONG = "Choose a range of at most 731 days (two years)."
RANGE_BOTH = "Give both a start and an end date, or neither."
RANGE_YEARS = "Choose dates from 2000-01-01 to a year from today."
# Daily summary figures, in the order the summaries list them (portal.jobs.summaries).
SUMMARY_COLUMNS = (
    ("open", "Open"),
    ("overdue", "Overdue"),
    ("due_today", "Due today"),
    ("done_yesterday", "Done the day before"),
    ("created_yesterday", "Created the day before"),
)
COLORS = {
    "primary": "var(--color-primary-600)",
    "green": "var(--color-green-600)",
    "red": "var(--color-red-600)",
    "orange": "var(--color-orange-500)",
    "blue": "var(--color-blue-400)",
    "base": "var(--color-base-400)",
}


class RangeForm(forms.Form):
    """`?days=30|90|365` or `?start=YYYY-MM-DD&end=YYYY-MM-DD` (the last 90 days otherwise)."""

    days = forms.TypedChoiceField(
        choices=[(str(d), f"{d} days") for d in PRESETS], coerce=int, required=False
    )
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if self.errors:
            return cleaned
        if bool(start) != bool(end):
            raise ValidationError(RANGE_BOTH)
        if start and end:
            if start > end:
                raise ValidationError(RANGE_ORDER)
            if start < EARLIEST or end > timezone.localdate() + timedelta(days=366):
                raise ValidationError(RANGE_YEARS)
            if (end - start).days + 1 > MAX_DAYS:
                raise ValidationError(RANGE_TOO_LONG)
        return cleaned

    def span(self) -> rep.ReportRange:
        if self.cleaned_data.get("start"):
            return rep.ReportRange(first=self.cleaned_data["start"], last=self.cleaned_data["end"])
        days = self.cleaned_data.get("days") or DEFAULT_DAYS
        today = timezone.localdate()
        return rep.ReportRange(first=today - timedelta(days=days - 1), last=today)

    def preset(self) -> int | None:
        if self.cleaned_data.get("start"):
            return None
        return self.cleaned_data.get("days") or DEFAULT_DAYS


@dataclass
class Chart:
    """A Chart.js chart drawn by unfold's chart script from data attributes (no inline JS)."""

    kind: str
    data: dict
    x_title: str
    y_title: str
    horizontal: bool = False
    options: dict = field(default_factory=dict)

    @property
    def data_json(self) -> str:
        return json.dumps(self.data)

    @property
    def options_json(self) -> str:
        index_axis = "y" if self.horizontal else "x"
        x_title, y_title = (
            (self.y_title, self.x_title) if self.horizontal else (self.x_title, self.y_title)
        )
        options = {
            "responsive": True,
            "maintainAspectRatio": False,
            "indexAxis": index_axis,
            "plugins": {"legend": {"display": True, "position": "bottom"}},
            "scales": {
                "x": {"title": {"display": True, "text": x_title}, "grid": {}},
                "y": {
                    "title": {"display": True, "text": y_title},
                    "grid": {},
                    "beginAtZero": True,
                },
            },
        }
        options.update(self.options)
        return json.dumps(options)


@dataclass
class Section:
    """One table of the report, with the chart drawn from the same numbers (if any)."""

    slug: str
    sheet: Sheet
    chart: Chart | None = None
    description: str = ""
    display_rows: list = field(default_factory=list)


def _dataset(label: str, values: list, color: str, *, line: bool = False) -> dict:
    data = {"label": label, "data": values, "backgroundColor": color, "borderColor": color}
    if line:
        data.update({"fill": False, "tension": 0.2, "spanGaps": True})
    return data


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _flow(user, team, span: rep.ReportRange) -> Section:
    """Tasks created and done per week."""
    week_labels = [show_date(w) for w in span.weeks]
    flow = rep.created_and_done_per_week(fetched_by=user, team=team, span=span)
    return Section(
        "flow",
        Sheet(
            "Created and done per week",
            ["Week of", "Created", "Done"],
            [[r["week"], r["created"], r["done"]] for r in flow],
        ),
        Chart(
            "bar",
            {
                "labels": week_labels,
                "datasets": [
                    _dataset("Created", [r["created"] for r in flow], COLORS["primary"]),
                    _dataset("Done", [r["done"] for r in flow], COLORS["green"]),
                ],
            },
            "Week (starting Monday)",
            "Tasks",
        ),
        "Tasks created and tasks completed in each week of the range.",
    )


def _cycle(user, team, span: rep.ReportRange) -> Section:
    """Cycle time (median and 85th percentile) per week."""
    week_labels = [show_date(w) for w in span.weeks]
    cycle = rep.cycle_time_per_week(fetched_by=user, team=team, span=span)
    return Section(
        "cycle",
        Sheet(
            "Cycle time per week",
            ["Week of", "Tasks done", "Median days", "85th percentile days"],
            [[r["week"], r["n"], _days(r["median"]), _days(r["p85"])] for r in cycle],
        ),
        Chart(
            "line",
            {
                "labels": week_labels,
                "datasets": [
                    _dataset(
                        "Median",
                        [_days(r["median"]) for r in cycle],
                        COLORS["primary"],
                        line=True,
                    ),
                    _dataset(
                        "85th percentile",
                        [_days(r["p85"]) for r in cycle],
                        COLORS["orange"],
                        line=True,
                    ),
                ],
            },
            "Week of completion (starting Monday)",
            "Days from created to done",
        ),
        "Days from creation to completion of the tasks done in each week.",
    )


def _trend(user, team, span: rep.ReportRange) -> Section:
    """Open and overdue tasks at the end of each week."""
    week_labels = [show_date(w) for w in span.weeks]
    trend = rep.open_and_overdue_trend(fetched_by=user, team=team, span=span)
    return Section(
        "trend",
        Sheet(
            "Open and overdue at the end of each week",
            ["Week of", "Open", "Overdue"],
            [[r["week"], r["open"], r["overdue"]] for r in trend],
        ),
        Chart(
            "line",
            {
                "labels": week_labels,
                "datasets": [
                    _dataset("Open", [r["open"] for r in trend], COLORS["primary"], line=True),
                    _dataset("Overdue", [r["overdue"] for r in trend], COLORS["red"], line=True),
                ],
            },
            "Week (starting Monday)",
            "Tasks at the end of the week",
        ),
        "Tasks open, and of those overdue, at the end of each week (the last one: today).",
    )


def _workload(user, team, span: rep.ReportRange) -> Section:
    """Open, overdue and done tasks per assignee."""
    load = rep.workload(fetched_by=user, team=team, span=span)
    return Section(
        "workload",
        Sheet(
            "Workload by assignee",
            ["Person", "Open", "Overdue", "Done in range"],
            [[r["name"], r["open"], r["overdue"], r["done"]] for r in load],
        ),
        Chart(
            "bar",
            {
                "labels": [r["name"] for r in load],
                "datasets": [
                    _dataset("Open", [r["open"] for r in load], COLORS["primary"]),
                    _dataset("Overdue", [r["overdue"] for r in load], COLORS["red"]),
                    _dataset("Done in range", [r["done"] for r in load], COLORS["green"]),
                ],
            },
            "Person",
            "Tasks",
            horizontal=True,
        ),
        "Open and overdue tasks now, and tasks done in the range, per assignee.",
    )


def _distributions(user, team, span: rep.ReportRange) -> list[Section]:
    """Tasks created in the range by status now and by priority."""
    sections = []
    for slug, title, rows in (
        (
            "status",
            "Status of the tasks created in the range",
            rep.status_distribution(fetched_by=user, team=team, span=span),
        ),
        (
            "priority",
            "Priority of the tasks created in the range",
            rep.priority_distribution(fetched_by=user, team=team, span=span),
        ),
    ):
        label = slug.capitalize()
        sections.append(
            Section(
                slug,
                Sheet(title, [label, "Tasks"], [[r["label"], r["count"]] for r in rows]),
                Chart(
                    "bar",
                    {
                        "labels": [r["label"] for r in rows],
                        "datasets": [
                            _dataset("Tasks", [r["count"] for r in rows], COLORS["primary"])
                        ],
                    },
                    label,
                    "Tasks",
                ),
                "Tasks created in the range and not archived, by their "
                + ("status now." if slug == "status" else "priority."),
            )
        )
    return sections


def _summaries(user, team, span: rep.ReportRange) -> Section:
    """The daily summaries written for the team in the range."""
    summaries = list(
        summaries_visible_to(fetched_by=user)
        .filter(team=team, date__gte=span.first, date__lte=span.last)
        .order_by("-date")
        .only("id", "date", "counts", "emailed_at", "team_id")
    )
    sheet = Sheet(
        "Daily summaries",
        ["Date"] + [label for _, label in SUMMARY_COLUMNS],
        [[s.date] + [(s.counts or {}).get(key) for key, _ in SUMMARY_COLUMNS] for s in summaries],
    )
    return Section(
        "summaries",
        sheet,
        None,
        "The daily summaries written for the team in the range, newest first.",
        display_rows=list(zip(summaries, sheet.rows, strict=True)),
    )


def build_report(user, team, span: rep.ReportRange) -> list[Section]:
    """Every table and chart of the report for `team` over `span` (about ten queries)."""
    return [
        _flow(user, team, span),
        _cycle(user, team, span),
        _trend(user, team, span),
        _workload(user, team, span),
        *_distributions(user, team, span),
        _summaries(user, team, span),
    ]
