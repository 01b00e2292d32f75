"""A team's report as tables and charts: the selectors' numbers, shaped for the page and the
exports (the same tables feed the charts, the page's tables, CSV and XLSX)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.charts import GREEN, ORANGE, PRIMARY, RED, chart_data, series, titled_options
from portal.core.dates import show_date
from portal.core.spreadsheets import Sheet
from portal.jobs.selectors import summaries_visible_to
from portal.reports import selectors as rep
from portal.reports.custom import NO_VALUE, custom_field_figures, reported_fields

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

    def span(self, team) -> rep.ReportRange:
        """The range in the team's time zone (its days, its weeks, its today)."""
        return rep.team_range(
            team,
            first=self.cleaned_data.get("start"),
            last=self.cleaned_data.get("end"),
            days=self.cleaned_data.get("days") or DEFAULT_DAYS,
        )

    def preset(self) -> int | None:
        if self.cleaned_data.get("start"):
            return None
        return self.cleaned_data.get("days") or DEFAULT_DAYS


@dataclass
class Chart:
    """A Chart.js chart drawn by unfold's chart script from data attributes (no inline JS)."""

    kind: str
    labels: list
    datasets: list[dict]
    category_title: str
    value_title: str
    horizontal: bool = False

    @property
    def data_json(self) -> str:
        return chart_data(self.labels, *self.datasets)

    @property
    def options_json(self) -> str:
        return titled_options(self.category_title, self.value_title, horizontal=self.horizontal)


@dataclass
class Section:
    """One table of the report, with the chart drawn from the same numbers (if any)."""

    slug: str
    sheet: Sheet
    chart: Chart | None = None
    description: str = ""
    display_rows: list = field(default_factory=list)
    # Weekly tables read newest week first on the page (the chart and the files stay in time order).
    newest_first: bool = False

    @property
    def table_rows(self) -> list:
        return list(reversed(self.sheet.rows)) if self.newest_first else self.sheet.rows


def _days(value: float | None) -> float | None:
    """Days to one decimal, never below zero: a task completed within a second of its creation
    (or imported with its dates a little apart) would otherwise read "-0.0"."""
    if value is None:
        return None
    days = round(value, 1)
    return days if days > 0 else 0.0


@dataclass(frozen=True)
class _Weekly:
    """A column of a weekly table; with `drawn` (its series' label and colour) also charted."""

    header: str
    value: Callable[[dict], Any]
    drawn: tuple[str, str] | None = None


def _weekly(
    slug: str, title: str, span: rep.ReportRange, rows: list[dict], columns: list[_Weekly], **chart
) -> Section:
    """A table with a row per week of the range ("Week of" first), and its chart over the
    weeks; `chart` gives the chart's kind, value_title, description and category_title."""
    description = chart.pop("description")
    line = chart["kind"] == "line"
    return Section(
        slug,
        Sheet(
            title,
            ["Week of", *(c.header for c in columns)],
            [[r["week"], *(c.value(r) for c in columns)] for r in rows],
        ),
        Chart(
            labels=[show_date(w) for w in span.weeks],
            datasets=[
                series(c.drawn[0], [c.value(r) for r in rows], c.drawn[1], line=line)
                for c in columns
                if c.drawn
            ],
            **{"category_title": "Week (starting Monday)", **chart},
        ),
        description,
        newest_first=True,
    )


def _flow(user, team, span: rep.ReportRange) -> Section:
    """Tasks created and done per week."""
    return _weekly(
        "flow",
        "Created and done per week",
        span,
        rep.created_and_done_per_week(fetched_by=user, team=team, span=span),
        [
            _Weekly("Created", itemgetter("created"), ("Created", PRIMARY)),
            _Weekly("Done", itemgetter("done"), ("Done", GREEN)),
        ],
        kind="bar",
        value_title="Tasks",
        description="Tasks created and tasks completed in each week of the range.",
    )


def _cycle(user, team, span: rep.ReportRange) -> Section:
    """Cycle time (median and 85th percentile) per week."""
    return _weekly(
        "cycle",
        "Cycle time per week",
        span,
        rep.cycle_time_per_week(fetched_by=user, team=team, span=span),
        [
            _Weekly("Tasks done", itemgetter("n")),
            _Weekly("Median days", lambda r: _days(r["median"]), ("Median", PRIMARY)),
            _Weekly("85th percentile days", lambda r: _days(r["p85"]), ("85th percentile", ORANGE)),
        ],
        kind="line",
        category_title="Week of completion (starting Monday)",
        value_title="Days from created to done",
        description="Days from creation to completion of the tasks done in each week.",
    )


def _trend(user, team, span: rep.ReportRange) -> Section:
    """Open and overdue tasks at the end of each week."""
    return _weekly(
        "trend",
        "Open and overdue at the end of each week",
        span,
        rep.open_and_overdue_trend(fetched_by=user, team=team, span=span),
        [
            _Weekly("Open", itemgetter("open"), ("Open", PRIMARY)),
            _Weekly("Overdue", itemgetter("overdue"), ("Overdue", RED)),
        ],
        kind="line",
        value_title="Tasks at the end of the week",
        description="Tasks open, and of those overdue, at the end of each week (the last one: "
        "today).",
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
            [r["name"] for r in load],
            [
                series("Open", [r["open"] for r in load], PRIMARY),
                series("Overdue", [r["overdue"] for r in load], RED),
                series("Done in range", [r["done"] for r in load], GREEN),
            ],
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
                    [r["label"] for r in rows],
                    [series("Tasks", [r["count"] for r in rows], PRIMARY)],
                    label,
                    "Tasks",
                ),
                "Tasks created in the range and not archived, by their "
                + ("status now." if slug == "status" else "priority."),
            )
        )
    return sections


def _custom(user, team, span: rep.ReportRange) -> list[Section]:
    """The team's custom fields: a distribution per choice field, one table for the numbers."""
    fields = reported_fields(team)
    figures = custom_field_figures(fetched_by=user, team=team, span=span, fields=fields)
    sections, numbers = [], []
    for custom in fields:
        found = figures[custom.key]
        if "choices" not in found:
            unit = f" ({custom.unit})" if custom.unit else ""
            numbers.append(
                [f"{custom.name}{unit}", found["filled"], found["sum"], found["average"]]
            )
            continue
        rows = [[c["label"], c["count"]] for c in found["choices"]] + [[NO_VALUE, found["none"]]]
        several = (
            " (a task with several choices counts for each)"
            if custom.type == "multi_choice"
            else ""
        )
        sections.append(
            Section(
                f"cf-{custom.key}",
                Sheet(
                    f"{custom.name} of the tasks created in the range", [custom.name, "Tasks"], rows
                ),
                Chart(
                    "bar",
                    [r[0] for r in rows],
                    [series("Tasks", [r[1] for r in rows], PRIMARY)],
                    custom.name,
                    "Tasks",
                ),
                f"Tasks created in the range and not archived, by their {custom.name}{several}.",
            )
        )
    if numbers:
        sections.append(
            Section(
                "cf-numbers",
                Sheet(
                    "Number fields of the tasks created in the range",
                    ["Field", "Tasks with a value", "Sum", "Average"],
                    numbers,
                ),
                None,
                "The team's number fields over the tasks created in the range and not archived: "
                "how many have a value, their sum and their average.",
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
    """Every table and chart of the report for `team` over `span` (about ten queries, two
    more for the team's custom fields)."""
    return [
        _flow(user, team, span),
        _cycle(user, team, span),
        _trend(user, team, span),
        _workload(user, team, span),
        *_distributions(user, team, span),
        *_custom(user, team, span),
        _summaries(user, team, span),
    ]
