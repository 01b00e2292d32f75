"""The team's custom fields in its report: choice distributions and number figures, on the
page, in the CSV and XLSX files, and in constant queries."""

import csv
import io

import pytest
from openpyxl import load_workbook

from portal.reports.custom import NO_VALUE
from portal.tasks.models import Task
from portal.tasks.services import custom_field_update, task_create
from tests.pages.conftest import count_queries, make_tasks
from tests.tasks.custom_field_cases import define

pytestmark = pytest.mark.django_db
REPORTS = "/teams/operations/reports/"


@pytest.fixture
def filled(team, lead, member):
    fields = define(team, lead)
    values = [
        {"severity": "S1", "areas": ["api", "web"], "points": 2.5},
        {"severity": "S1", "areas": ["api"], "points": 1},
        {"severity": "S3"},
        {},
    ]
    for n, custom in enumerate(values):
        task_create(actor=member, team=team, title=f"T{n}", custom_fields=custom)
    archived = task_create(
        actor=member, team=team, title="Gone", custom_fields={"severity": "S2", "points": 100}
    )
    Task.objects.filter(pk=archived.pk).update(is_archived=True)
    return fields


def _section(response, slug):
    return next(s for s in response.context["sections"] if s.slug == slug)


def test_choice_fields_spread_and_number_fields_sum(client, member, filled):
    client.force_login(member)
    response = client.get(REPORTS)
    assert response.status_code == 200
    severity = _section(response, "cf-severity")
    assert severity.sheet.rows == [["S1", 2], ["S2", 0], ["S3", 1], [NO_VALUE, 1]]
    assert severity.chart.labels == ["S1", "S2", "S3", NO_VALUE]
    areas = _section(response, "cf-areas")
    # A task with two areas counts for each.
    assert areas.sheet.rows == [["api", 2], ["web", 1], ["ops", 0], [NO_VALUE, 2]]
    numbers = _section(response, "cf-numbers")
    assert numbers.sheet.header == ["Field", "Tasks with a value", "Sum", "Average"]
    assert numbers.sheet.rows == [["Points (pt)", 2, 3.5, 1.75]]
    page = response.content.decode()
    assert 'id="table-cf-severity"' in page and "Points (pt)" in page
    # Text, date, person, checkbox and URL fields have no table of their own.
    assert {s.slug for s in response.context["sections"] if s.slug.startswith("cf-")} == {
        "cf-severity",
        "cf-areas",
        "cf-numbers",
    }


def test_renamed_choices_and_archived_fields(client, lead, member, filled):
    severity = filled["severity"]
    choices = [dict(c) for c in severity.choices]
    choices[0]["label"] = "Critical"
    custom_field_update(actor=lead, field=severity, choices=choices)
    custom_field_update(actor=lead, field=filled["points"], is_archived=True)
    client.force_login(member)
    response = client.get(REPORTS)
    assert _section(response, "cf-severity").sheet.rows[0] == ["Critical", 2]
    assert "cf-numbers" not in {s.slug for s in response.context["sections"]}


def test_files_carry_the_custom_tables(client, member, filled):
    client.force_login(member)
    response = client.get(f"{REPORTS}export.csv?table=cf-severity")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Severity", "Tasks"] and ["S1", "2"] in rows
    book = load_workbook(io.BytesIO(client.get(f"{REPORTS}export.xlsx").content))
    titles = [ws.title for ws in book.worksheets]
    assert any(t.startswith("Severity") for t in titles), titles
    assert any(t.startswith("Number fields") for t in titles), titles


def test_another_team_sees_no_report_of_the_fields(client, outsider, filled):
    client.force_login(outsider)
    assert client.get(REPORTS).status_code == 404
    assert client.get(f"{REPORTS}export.csv?table=cf-severity").status_code == 404


def test_custom_report_queries_do_not_grow(
    client, team, member, filled, django_assert_max_num_queries
):
    client.force_login(member)
    small, _ = count_queries(client, REPORTS, django_assert_max_num_queries)
    make_tasks(team, member, 2_000)
    Task.objects.filter(team=team).update(
        custom_fields={"severity": filled["severity"].choices[1]["id"], "points": 3}
    )
    large, _ = count_queries(client, REPORTS, django_assert_max_num_queries)
    assert small == large
    response = client.get(REPORTS)
    assert _section(response, "cf-severity").sheet.rows[1][1] >= 2_000
