"""The reports page and its exports: ranges, tables, CSV and XLSX, who may see them."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from portal.core.dates import show_date
from portal.jobs.models import DailySummary
from portal.pages.reports import (
    RANGE_BOTH,
    RANGE_ORDER,
    RANGE_TOO_LONG,
    RANGE_YEARS,
)
from portal.tasks.models import Task
from portal.tasks.services import task_create, task_update
from tests.factories import TagFactory
from tests.pages.conftest import count_queries, make_tasks

pytestmark = pytest.mark.django_db
REPORTS = "/teams/operations/reports/"
CSV = "/teams/operations/reports/export.csv"
XLSX = "/teams/operations/reports/export.xlsx"
SLUGS = ["flow", "cycle", "trend", "workload", "status", "priority", "summaries"]


@pytest.fixture
def work(team, member, member2):
    member2.first_name = '=HYPERLINK("http://evil")'
    member2.save()
    first = task_create(actor=member, team=team, title="First", assignees=[member])
    task_update(actor=member, task=first, status="done")
    task_create(
        actor=member,
        team=team,
        title="Late",
        assignees=[member2],
        due_date=timezone.now() - timedelta(days=1),
    )
    DailySummary.objects.create(
        team=team,
        date=timezone.localdate() - timedelta(days=1),
        body="# summary",
        path="summaries/x.md",
        counts={
            "open": 4,
            "overdue": 1,
            "due_today": 2,
            "done_yesterday": 3,
            "created_yesterday": 5,
        },
    )


def test_the_page_shows_every_table_for_the_last_90_days(client, work, member):
    client.force_login(member)
    response = client.get(REPORTS)
    assert response.status_code == 200
    span = response.context["span"]
    assert (span.first, span.last) == (
        timezone.localdate() - timedelta(days=89),
        timezone.localdate(),
    )
    assert [s.slug for s in response.context["sections"]] == SLUGS
    html = response.content.decode()
    for slug in SLUGS:
        assert f'id="table-{slug}"' in html
    # every chart: labelled axes and a legend, drawn by unfold's chart script from attributes
    assert html.count('class="chart"') == 6
    for section in response.context["sections"][:6]:
        options = section.chart.options_json
        assert '"legend": {"display": true' in options
        assert options.count('"title": {"display": true') == 2
    assert "<script>" not in html


def test_presets_and_a_custom_range(client, work, member):
    client.force_login(member)
    span = client.get(REPORTS, {"days": 30}).context["span"]
    assert (span.last - span.first).days == 29
    response = client.get(REPORTS, {"start": "2026-01-05", "end": "2026-02-01"})
    span = response.context["span"]
    assert (str(span.first), str(span.last)) == ("2026-01-05", "2026-02-01")
    assert response.context["range_query"] == "start=2026-01-05&end=2026-02-01"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-03-01", "end": "2026-02-01"}, RANGE_ORDER),
        ({"start": "2023-01-01", "end": "2026-01-01"}, RANGE_TOO_LONG),
        ({"start": "2026-01-01"}, RANGE_BOTH),
        ({"start": "1999-01-01", "end": "1999-02-01"}, RANGE_YEARS),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "Enter a valid date."),
        ({"start": "9999999-01-01", "end": "2026-03-01"}, "Enter a valid date."),
        ({"days": "7"}, "Select a valid choice."),
        ({"days": "x" * 500}, "Select a valid choice."),
    ],
)
def test_bad_ranges_are_explained_not_errors(client, work, member, params, message):
    client.force_login(member)
    response = client.get(REPORTS, params)
    assert response.status_code == 200 and "sections" not in response.context
    assert message in " ".join(m for ms in response.context["form"].errors.values() for m in ms)
    export = client.get(CSV, params)
    assert export.status_code == 400 and message in export.content.decode()


def test_outsiders_get_404_and_anonymous_people_sign_in(client, work, outsider):
    for url in (REPORTS, CSV, XLSX):
        assert client.get(url).status_code == 302
        assert client.get(url)["Location"].startswith("/accounts/login/?next=")
    client.force_login(outsider)
    for url in (REPORTS, CSV, XLSX):
        assert client.get(url).status_code == 404


def test_csv_export_holds_every_table_and_neutralises_formulas(client, work, member):
    client.force_login(member)
    response = client.get(CSV, {"days": 30})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate()
    first = today - timedelta(days=29)
    assert response["Content-Disposition"] == (
        f'attachment; filename="operations-report-{first}-{today}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    titles = [r[0] for r, before in zip(rows[1:], rows, strict=False) if before == [] and r]
    assert rows[0] == ["Created and done per week"]
    assert titles == [
        "Cycle time per week",
        "Open and overdue at the end of each week",
        "Workload by assignee",
        "Status of the tasks created in the range",
        "Priority of the tasks created in the range",
        "Daily summaries",
    ]
    assert ['\'=HYPERLINK("http://evil")', "1", "1", "0"] in rows
    assert [str(today - timedelta(days=1)), "4", "1", "2", "3", "5"] in rows


def test_one_table_as_csv(client, work, member):
    client.force_login(member)
    response = client.get(CSV, {"table": "status"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Status", "Tasks"],
        ["To do", "1"],
        ["In progress", "0"],
        ["Blocked", "0"],
        ["Done", "1"],
    ]
    assert client.get(CSV, {"table": "nope"}).status_code == 404


def test_xlsx_export_has_a_sheet_per_table(client, work, member):
    client.force_login(member)
    response = client.get(XLSX)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == len(SLUGS)
    workload = book["Workload by assignee"]
    names = [row[0].value for row in workload.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil")' in names
    assert client.get("/teams/operations/reports/export.pdf").status_code == 404


def test_viewers_see_reports_too(client, work, viewer):
    client.force_login(viewer)
    assert client.get(REPORTS).status_code == 200
    assert client.get(XLSX).status_code == 200


def test_report_queries_do_not_grow(client, team, member, member2, django_assert_max_num_queries):
    client.force_login(member)
    tags = [TagFactory()]
    make_tasks(team, member, 12, tags=tags, assignees=[member, member2])
    small, _ = count_queries(client, REPORTS, django_assert_max_num_queries)
    rows = make_tasks(team, member, 10_000, tags=tags, assignees=[member, member2])
    # Spread the new tasks over the range so every week has rows to aggregate.
    for n, offset in enumerate(range(0, 90, 7)):
        Task.objects.filter(pk__in=[t.pk for t in rows[n::13]]).update(
            created_at=timezone.now() - timedelta(days=offset + 1)
        )
    large, _ = count_queries(client, REPORTS, django_assert_max_num_queries)
    assert small == large
    with django_assert_max_num_queries(30):
        assert client.get(XLSX).status_code == 200


@pytest.mark.parametrize(
    ("value", "shown"), [(-0.04, "0.0"), (-3.0, "0.0"), (0.04, "0.0"), (2.26, "2.3")]
)
def test_cycle_days_never_read_minus_zero(value, shown):
    from portal.pages.reports import _days

    assert str(_days(value)) == shown


def test_weekly_tables_read_newest_week_first_and_files_stay_in_time_order(client, work, member):
    import re

    client.force_login(member)
    response = client.get(REPORTS)
    flow = next(s for s in response.context["sections"] if s.slug == "flow")
    weeks = [row[0] for row in flow.sheet.rows]
    assert weeks == sorted(weeks)  # the chart and the exports: oldest first
    assert [row[0] for row in flow.table_rows] == sorted(weeks, reverse=True)
    table = response.content.decode().split('id="table-flow"')[1].split("</table>")[0]
    first_row = re.search(r'<tbody>\s*<tr><th scope="row">([^<]+)</th>', table).group(1)
    assert first_row.strip() == show_date(weeks[-1])
