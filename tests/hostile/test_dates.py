"""Impossible calendar dates and times in the task filters, at every door that takes them.

A value the calendar does not have (month 13, February 30, year 0, hour 25) or that the
database cannot store (an offset beyond PostgreSQL's +-15:59) is a filter error: 400 with
JSON at the API, a message on the pages and in the admin, never a 5xx.
"""

import pytest
from django.urls import reverse

from portal.adminsite.exports import EXPORT_FILTERS_UNKNOWN
from portal.tasks.filter_fields import DATETIME_INVALID

IMPOSSIBLE = [
    "2026-13-01",  # month 13
    "2026-00-10",  # month 0
    "2026-02-30",  # February 30
    "2026-04-31",
    "0000-01-01",  # year 0
    "0000-00-00",
    "2026-01-01T25:00",  # hour 25
    "2026-01-01T24:00:01",
    "2026-01-01T12:60",
    "2026-02-30T12:00:00Z",
    "0274-07-25T13:32:13.4+20:54",  # an offset PostgreSQL cannot store
    "2026-01-01T00:00:00-16:00",
    "2026-01-01T00:00:00+24:00",
]
FILTERS = ["due_after", "due_before", "completed_after", "completed_before"]
CASES = [(name, value) for name in FILTERS for value in IMPOSSIBLE]


@pytest.fixture
def world(task, member):
    return task


@pytest.mark.parametrize(("name", "value"), CASES)
def test_api_list_answers_400_json(client_for, world, member, name, value):
    response = client_for(member).get("/api/tasks/", {name: value})
    assert response.status_code == 400
    assert response.json() == {name: [DATETIME_INVALID]}


@pytest.mark.parametrize(("name", "value"), CASES)
def test_api_export_answers_400_json(client_for, world, member, name, value):
    response = client_for(member).get("/api/tasks/export/", {name: value, "file_format": "csv"})
    assert response.status_code == 400
    assert DATETIME_INVALID in str(response.json())


@pytest.mark.parametrize(("name", "value"), CASES)
def test_team_list_page_shows_the_error(client, world, member, name, value):
    client.force_login(member)
    response = client.get("/teams/operations/tasks/", {name: value})
    assert response.status_code == 200
    assert DATETIME_INVALID in response.content.decode().replace("&quot;", '"')


@pytest.mark.parametrize("value", IMPOSSIBLE)
@pytest.mark.parametrize(
    ("page", "field"),
    [
        ("changelist", "due_date"),
        ("changelist", "completed_at"),
        ("export", "due_date"),
        ("export", "completed_at"),
    ],
)
def test_admin_list_and_export_show_the_error(client, world, lead, page, field, value):
    """The admin's own date range parameters, split into a day and a time."""
    client.force_login(lead)
    day, _, time = value.partition("T")
    query = {f"{field}_from_0": day, f"{field}_from_1": time}
    response = client.get(reverse(f"admin:tasks_task_{page}"), query, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any(DATETIME_INVALID in m for m in shown), shown


@pytest.mark.parametrize("name", FILTERS)
def test_admin_export_with_the_apis_names_says_so(client, world, lead, name):
    client.force_login(lead)
    response = client.get(reverse("admin:tasks_task_export"), {name: "2026-02-30"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("admin:tasks_task_changelist")
    assert [str(m) for m in response.context["messages"]] == [EXPORT_FILTERS_UNKNOWN]
