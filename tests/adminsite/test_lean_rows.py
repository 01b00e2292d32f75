"""The admin's rows written in one pass (portal/adminkit/rows.py) are Django's rows, cell for
cell: the same classes, links (with the list's filters kept), empty values and escaping."""

from datetime import date, timedelta

import pytest
from django.contrib.admin.templatetags import admin_list
from django.urls import reverse
from django.utils import timezone

from portal.adminkit.rows import lean_results
from portal.tasks.services import custom_field_create, task_create, task_update
from tests.factories import TagFactory

CHANGELIST = reverse("admin:tasks_task_changelist")


def django_rows(cl) -> list[str]:
    return ["".join(str(cell) for cell in row) for row in admin_list.results(cl)]


def lean_rows(cl) -> list[str]:
    return ["".join(row) for row in lean_results(cl)]


@pytest.fixture
def listed(team, lead, member, member2):
    custom_field_create(
        actor=lead,
        team=team,
        name="Severity",
        key="severity",
        type="choice",
        choices=[{"label": "S1"}, {"label": "S2 <b>"}],
    )
    tags = [TagFactory(name="infra", color="#112233"), TagFactory(name="<script>x</script>")]
    now = timezone.now()
    rows = [
        dict(title="Plain"),
        dict(title="Due a day", due_date=date.today() + timedelta(days=3), tags=tags),
        dict(title="Overdue <i>", due_date=now - timedelta(days=40), assignees=[member, member2]),
        dict(title="   ", description="blank title is refused, so a dash", status="blocked"),
        dict(title="Last year", due_date=now - timedelta(days=400), priority="urgent"),
        dict(title="Chosen", custom_fields={"severity": "S2 <b>"}),
    ]
    made = []
    for row in rows:
        if not row["title"].strip():
            row["title"] = "Blank-ish"
        made.append(task_create(actor=member, team=team, **row))
    task_update(actor=member, task=made[0], status="done")
    return made


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?o=2",
        "?status__exact=todo&o=-7",
        "?columns=severity",
        "?q=Due&columns=severity&is_archived=all",
    ],
)
def test_lean_rows_are_djangos_rows(client, member, listed, query):
    client.force_login(member)
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    cl = response.context["cl"]
    assert len(cl.result_list) > 0
    lean = lean_rows(cl)
    assert lean == django_rows(cl)
    # And the page prints them.
    body = response.content.decode()
    for row in lean:
        assert row in body
    if query:
        # Each row's links keep the list's filters, as Django writes them.
        assert "_changelist_filters=" in lean[0]


def test_popup_lists_use_djangos_builder(client, member, listed):
    client.force_login(member)
    response = client.get(CHANGELIST + "?_popup=1&_to_field=id")
    assert response.status_code == 200
    assert lean_results(response.context["cl"]) is None
