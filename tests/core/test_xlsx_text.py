"""Every XLSX writer leaves out what XML cannot hold, whatever is already stored."""

import io
import re

import pytest
from import_export.formats.base_formats import XLSX
from openpyxl import load_workbook
from rest_framework.test import APIClient

from portal.accounts.models import User
from portal.core.spreadsheets import XML_FORBIDDEN_RE, xml_safe
from portal.tasks.models import Task
from portal.tasks.resources import TaskResource
from portal.tasks.selectors import task_list
from portal.tasks.services import task_create

STORED = "Mar\x01cus\x0b\uffff"  # what an older door let through, put straight into the rows
SHOWN = "Marcus"


def _cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    return [
        c for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    ]


def _texts(content: bytes) -> list[str]:
    return [c for c in _cells(content) if isinstance(c, str)]


@pytest.fixture
def stored(team, member, member2):
    task = task_create(actor=member, team=team, title="Plain", assignees=[member2])
    User.objects.filter(pk=member2.pk).update(first_name=STORED, last_name="")
    Task.objects.filter(pk=task.pk).update(title=f"={STORED}")
    return task


def test_xml_safe_keeps_tab_and_line_ends_and_other_values():
    assert xml_safe("a\tb\nc\rd\x00\x1f\ud800\ufffe") == "a\tb\nc\rd"
    assert xml_safe(5) == 5 and xml_safe(None) is None


def test_the_team_report_exports_a_name_with_control_characters(client, stored, member):
    client.force_login(member)
    response = client.get("/teams/operations/reports/export.xlsx")
    assert response.status_code == 200
    texts = _texts(response.content)
    assert SHOWN in texts
    assert not [t for t in texts if XML_FORBIDDEN_RE.search(t)]


def test_the_api_export_leaves_them_out(stored, member):
    client = APIClient()
    client.force_authenticate(member)
    response = client.get("/api/tasks/export/", {"file_format": "xlsx"})
    assert response.status_code == 200
    texts = _texts(response.content)
    assert f"'={SHOWN}" in texts  # and the formula is still neutralised
    assert not [t for t in texts if XML_FORBIDDEN_RE.search(t)]


def test_import_exports_own_writer_gets_a_clean_dataset(stored, member):
    dataset = TaskResource().export(queryset=task_list(fetched_by=member, filters={}))
    content = XLSX().export_data(dataset)  # django-import-export's writer (tablib, openpyxl)
    texts = _texts(content)
    assert f"'={SHOWN}" in texts
    assert not [t for t in texts if re.search(XML_FORBIDDEN_RE, t)]
