"""The admin's spreadsheet door: Export on the changelist and as an action, Import with preview."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tests.sheets import as_dicts, read_csv, read_xlsx

TASK_EXPORT = reverse("admin:tasks_task_export")
TASK_CHANGELIST = reverse("admin:tasks_task_changelist")
XLSX, CSV = "0", "1"  # positions in SpreadsheetAdmin.formats


def _export(client, query="", fmt=CSV, **data):
    response = client.post(f"{TASK_EXPORT}{query}", {"format": fmt, "resource": "0", **data})
    assert response.status_code == 200, response.content[:500]
    return as_dicts((read_csv if fmt == CSV else read_xlsx)(response.content))


def test_changelist_shows_an_export_button(client, sheet_world, lead):
    client.force_login(lead)
    response = client.get(TASK_CHANGELIST)
    assert TASK_EXPORT in response.content.decode()


@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_export_honours_filters_and_search(client, sheet_world, lead, fmt):
    client.force_login(lead)
    assert {r["key"] for r in _export(client, fmt=fmt)} == {"OPS-1", "OPS-2"}
    assert [r["key"] for r in _export(client, "?priority=high", fmt=fmt)] == ["OPS-1"]
    assert [r["key"] for r in _export(client, "?q=HYPERLINK", fmt=fmt)] == ["OPS-2"]


def test_export_action_on_selected_rows(client, sheet_world, lead):
    client.force_login(lead)
    parent = sheet_world["parent"]
    response = client.post(
        TASK_CHANGELIST,
        {"action": "export_admin_action", ACTION_CHECKBOX_NAME: [parent.pk]},
    )
    assert response.status_code == 200  # the format form, carrying the selection
    rows = _export(client, export_items=[parent.pk])
    assert [r["key"] for r in rows] == ["OPS-1"]


def test_selected_rows_of_other_teams_are_not_exported(client, sheet_world, lead):
    client.force_login(lead)
    response = client.post(
        TASK_EXPORT,
        {"format": CSV, "resource": "0", "export_items": [sheet_world["foreign"].pk]},
    )
    # An id outside the person's teams is not a valid choice: the form is shown again.
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        ("lead", {"OPS-1", "OPS-2"}),
        ("viewer", {"OPS-1", "OPS-2"}),
        ("outsider", {"DES-1"}),
        ("superuser", {"OPS-1", "OPS-2", "DES-1"}),
    ],
)
def test_each_role_exports_only_what_it_sees(client, sheet_world, people, role, keys):
    client.force_login(people[role])
    assert {r["key"] for r in _export(client)} == keys


def test_export_neutralises_formulas(client, sheet_world, lead):
    client.force_login(lead)
    child = next(r for r in _export(client, fmt=XLSX) if r["key"] == "OPS-2")
    assert child["title"] == '\'=HYPERLINK("x")'
