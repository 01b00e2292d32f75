"""A lead exports tasks, edits them in a spreadsheet, imports them back, in a real browser.

Screenshots (docs/spreadsheets.md) go to $SCREENSHOT_DIR when set (`make screenshots`).
"""

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from portal.tasks.models import Task
from tests.browser.browsing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def shared_dir(settings, tmp_path):
    """Uploads waiting for Confirm and job files go to a folder of this test's own."""
    settings.SHARED_DIR = tmp_path / "shared"


def _edit(path, changes):
    """Change cells of the downloaded workbook by (key, column) and save it again."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for (key, column), value in changes.items():
        rows[key][header.index(column)].value = value
    book.save(path)
    return {key: row[0].row for key, row in rows.items()}, header


def _upload(page, live_server, path):
    page.goto(f"{live_server.url}/admin/tasks/task/import/")
    page.set_input_files("input[name=import_file]", str(path))  # the format is detected
    page.locator("form[enctype] button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def test_lead_round_trip_with_preview_errors_and_confirm(
    browser,
    live_server,
    shots,
    tmp_path,
):
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, "olivia")

    page.goto(f"{live_server.url}/admin/tasks/task/")
    assert page.locator("a[href*='/admin/tasks/task/export/']").count() >= 1
    assert page.locator("a[href*='/admin/tasks/task/import/']").count() >= 1
    page.goto(f"{live_server.url}/admin/tasks/task/export/")
    page.select_option("select[name=format]", label="xlsx")
    with page.expect_download() as download:
        page.locator("#content form button[type=submit]").first.click()
    exported = tmp_path / "tasks.xlsx"
    download.value.save_as(exported)
    keys = [
        r[0] for r in load_workbook(exported).worksheets[0].iter_rows(min_row=2, values_only=True)
    ]
    assert keys and all(k.startswith("OPS-") for k in keys)
    first, second = keys[0], keys[1]

    # A spreadsheet program's edits: one good change, two mistakes.
    numbers, header = _edit(
        exported,
        {
            (first, "title"): "Renew the certificates before Friday",
            (first, "status"): "In progress",
            (second, "assignees"): "marcus, nobody",
            (second, "due_date"): "next week",
        },
    )
    _upload(page, live_server, exported)
    text = page.locator("#content").inner_text()
    row = numbers[second]
    letter = {name: chr(ord("A") + i) for i, name in enumerate(header)}
    assert f"assignees ({letter['assignees']}{row})" in text
    assert f"due_date ({letter['due_date']}{row})" in text
    assert "2 errors" in text
    page.screenshot(path=shots / "import-errors.png", full_page=True)

    # Fixed in the spreadsheet: the preview counts what will happen, then Confirm.
    _edit(exported, {(second, "assignees"): "marcus", (second, "due_date"): None})
    _upload(page, live_server, exported)
    counts = page.locator("#import-counts").inner_text()
    assert "0 errors" in counts and "0 new" in counts
    # Only the changed cells of the updated row, old -> new.
    changed = page.locator(f"#import-changes tr[data-row='{numbers[first]}']")
    assert [c.get_attribute("data-column") for c in changed.all()] == ["title", "status"]
    assert changed.first.locator(".sheet-new").inner_text() == (
        "Renew the certificates before Friday"
    )
    assert changed.last.locator(".sheet-new").inner_text() == "in_progress"
    page.screenshot(path=shots / "import-preview.png", full_page=True)
    page.locator("form[action$='process_import/'] button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "Import finished" in page.content()

    task = Task.objects.select_related("team").get(team__key="OPS", number=int(first.split("-")[1]))
    assert (task.title, task.status) == ("Renew the certificates before Friday", "in_progress")
    assert task.history.order_by("-history_id").first().history_user.username == "olivia"
    page.goto(f"{live_server.url}/admin/tasks/task/{task.pk}/history/")
    assert "olivia" in page.locator("#content").inner_text()
    page.screenshot(path=shots / "import-history.png", full_page=False)
    assert errors == []
