"""The team pages as people use them, in a real browser (Debian chromium through Playwright).

A member signs in at /accounts/login/, lands on /teams/, works the board with the mouse and the
keyboard, creates a task (after a field error), comments, edits in place, finds it all in the
activity feed and in the admin's history, and downloads the reports. A viewer sees no write
controls, an outsider gets 404, and a phone-width screen never scrolls sideways. Every page is
checked with axe-core, and no page may log a console error or a Content-Security-Policy
violation. Screenshots go to $SCREENSHOT_DIR (`make screenshots`: docs/screenshots/).
"""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.demo.management.commands.demo import DEMO_USER_PASSWORD
from portal.tasks.models import Comment, Status, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Violations reported by the page itself (the console reports them too).
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo(settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "shared"
    call_command("demo", verbosity=0)
    # A week of daily summaries for the reports page.
    today = timezone.localdate()
    for back in range(1, 8):
        day = (today - timedelta(days=back)).isoformat()
        call_command("start_job", "daily_summary", f"date={day}", "team=operations", "--here")


class Visit:
    """A signed-in browser tab that records console errors and CSP violations."""

    def __init__(self, browser, live_server, viewport=DESKTOP):
        self.base = live_server.url
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.context.add_init_script(COLLECT_VIOLATIONS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.violations: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def sign_in(self, username: str, next_path: str = "") -> None:
        self.page.goto(f"{self.base}/accounts/login/{next_path}")
        self.page.fill("input[name=login]", username)
        self.page.fill("input[name=password]", DEMO_USER_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def open(self, path: str, ready: str | None = None):
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        assert "default-src 'self'" in response.headers.get("content-security-policy", "")
        if ready:
            self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        self.collect()
        return response

    def collect(self) -> None:
        self.violations += self.page.evaluate("window.__csp || []")

    def no_sideways_scroll(self) -> None:
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{self.page.url} scrolls sideways by {overflow}px"

    def accessible(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        problems = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"]
        ]
        assert problems == [], f"{self.page.url}: {problems}"

    def clean(self) -> None:
        self.collect()
        assert self.violations == [], self.violations
        assert self.errors == [], self.errors


def test_member_works_the_team_pages_end_to_end(browser, live_server, demo, shots, settings):
    settings.ACCOUNT_ALLOW_SIGNUP = True  # closed by default; opened to show its link
    visit = Visit(browser, live_server)
    page = visit.page

    # The front door: signed out it opens the sign-in page, which links password reset and
    # sign-up; signed in it opens the teams.
    visit.open("/", "input[name=login]")
    assert page.url == f"{visit.base}/accounts/login/"
    assert page.locator('a[href="/accounts/password/reset/"]').count() == 1
    assert page.locator("#signup-link").count() == 1
    page.screenshot(path=shots / "team-sign-in.png")
    visit.sign_in("marcus")
    assert page.url == f"{visit.base}/teams/"
    visit.open("/", "#teams")
    assert page.url == f"{visit.base}/teams/"
    assert page.locator("#teams [data-team=operations]").count() == 1
    assert page.locator("#admin-link").count() == 1
    visit.accessible()
    page.screenshot(path=shots / "team-front-door.png", full_page=True)

    # The board: four columns, cards with keys; one card dragged to Done with the mouse.
    page.click("#teams [data-team=operations] h2 a")
    page.wait_for_selector("#board")
    assert page.url == f"{visit.base}/teams/operations/"
    visit.accessible()
    page.screenshot(path=shots / "team-board.png")
    dragged = page.locator("#cards-todo [data-card]").first
    dragged_key = dragged.get_attribute("data-key")
    dragged_id = dragged.get_attribute("id")
    dragged.drag_to(page.locator("#column-title-done"))
    page.wait_for_selector(f"#cards-done #{dragged_id}")
    assert Task.objects.get(team__key="OPS", number=int(dragged_key[4:])).status == Status.DONE

    # Another card moved with the keyboard only: open its menu, Tab to "Move to Done", Enter.
    card = page.locator("#cards-todo [data-card]").first
    keyed_key, keyed_id = card.get_attribute("data-key"), card.get_attribute("id")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    for _ in range(3):  # In progress, Blocked, Done
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Move to Done"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#cards-done #{keyed_id}")
    assert page.evaluate("document.activeElement.id") == f"card-title-{keyed_id[5:]}"
    assert f"{keyed_key} moved to Done." in page.locator("#pages-status").inner_text()
    assert Task.objects.get(team__key="OPS", number=int(keyed_key[4:])).status == Status.DONE

    # Take a task: it is assigned to me as well, the others stay.
    take = page.locator("#cards-in_progress [data-take-form]").first
    taken_id = take.locator("xpath=ancestor::article").get_attribute("id")
    taken = Task.objects.get(pk=int(taken_id[5:]))
    before = set(taken.assignees.values_list("username", flat=True))
    page.locator(f"#{taken_id} summary").click()
    take.locator("button").click()
    page.wait_for_function(f"!document.querySelector('#{taken_id} [data-take-form]')")
    assert set(taken.assignees.values_list("username", flat=True)) == before | {"marcus"}

    # The list: the API's filters in the address.
    page.click("nav.pages-tabs >> text=List")
    page.wait_for_selector("#task-table")
    page.click("text=Filters and order")
    page.check("input[name=status][value=blocked]")
    page.select_option("#f-ordering", "-priority")
    page.click("text=Apply filters")
    page.wait_for_selector("#task-table")
    assert "status=blocked" in page.url and "ordering=-priority" in page.url
    assert "search=" not in page.url  # empty fields stay out of a shared address
    statuses = page.locator("#task-table tbody td[data-label=Status]").all_inner_texts()
    assert statuses and set(statuses) == {"Blocked"}
    visit.accessible()
    page.screenshot(path=shots / "team-list.png")

    # Create a task: a field error first, then the task.
    page.click("text=New task")
    page.wait_for_selector("#task-form")
    page.click("#create-task")
    page.wait_for_selector("#id_title_error")
    assert "This field is required." in page.locator("#id_title_error").inner_text()
    assert page.get_attribute("#id_title", "aria-invalid") == "true"
    visit.accessible()
    page.fill("#id_title", "Renew the TLS certificate")
    page.fill("#id_description", "The current one expires next month.")
    page.select_option("#id_priority", "high")
    page.fill("#id_due_date_0", "2030-01-15")
    page.check("#field-assignees label:has-text('Marcus Bell') input")
    page.click("#create-task")
    page.wait_for_selector("#task-title")
    created = Task.objects.get(title="Renew the TLS certificate")
    assert page.url == f"{visit.base}/teams/operations/tasks/{created.number}/"
    assert f"{created.key} created." in page.content()
    assert created.priority == "high" and created.created_by.username == "marcus"

    # Comment on it, and change its status in place.
    page.fill("#id_body", "Booked the change window for Friday.")
    page.click("#add-comment")
    page.wait_for_selector("#comments .comment:has-text('Booked the change window')")
    assert Comment.objects.filter(task=created, author__username="marcus").count() == 1
    # Change two fields in the one form; leaving before saving asks first.
    page.select_option("#edit-status", "in_progress")
    page.select_option("#edit-priority", "urgent")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.click("#task-edit a:has-text('Discard changes')")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url == f"{visit.base}/teams/operations/tasks/{created.number}/"
    page.click("#save-task")
    page.wait_for_selector(f".pages-message:has-text('{created.key} saved.')")
    page.wait_for_selector("#history-entries li:has-text('In progress')")
    saved = Task.objects.get(pk=created.pk)
    assert (saved.status, saved.priority) == (Status.IN_PROGRESS, "urgent")
    visit.accessible()
    # The status line would cover part of the page in the picture: clear it first.
    page.evaluate("document.getElementById('pages-status').textContent = ''")
    page.screenshot(path=shots / "team-task.png", full_page=True)

    # The activity feed has all of it, with the person's name.
    visit.open("/teams/operations/activity/", "#activity")
    feed = page.locator("#activity").inner_text()
    for text in (
        "Marcus Bell",
        created.key,
        "Booked the change window for Friday.",
        dragged_key,
        keyed_key,
        "In progress",
    ):
        assert text in feed, text
    visit.accessible()
    page.screenshot(path=shots / "team-activity.png")

    # ... and the admin's history names the person too.
    visit.open(f"/admin/tasks/task/{created.pk}/history/", "#content, main")
    assert "Marcus Bell" in page.content()
    visit.open(f"/teams/operations/tasks/{created.number}/", "#open-in-admin")
    assert page.get_attribute("#open-in-admin", "href") == f"/admin/tasks/task/{created.pk}/change/"

    # Reports: change the range, download both exports and open them.
    visit.open("/teams/operations/reports/", "#report canvas.chart")
    page.click("[data-preset='30']")
    page.wait_for_selector("#report canvas.chart")
    assert page.url.endswith("?days=30")
    start = (timezone.localdate() - timedelta(days=13)).isoformat()
    page.fill("#range-start", start)
    page.fill("#range-end", timezone.localdate().isoformat())
    page.click("#range-apply")
    page.wait_for_selector("#report canvas.chart")
    assert f"start={start}" in page.url
    assert page.locator("#table-summaries tbody tr").count() == 7
    visit.collect()
    visit.accessible()
    page.screenshot(path=shots / "team-reports.png", full_page=True)
    with page.expect_download() as csv_download:
        page.click("#export-csv")
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text())))
    assert rows[0] == ["Created and done per week"]
    assert ["Workload by assignee"] in rows and ["Daily summaries"] in rows
    assert csv_download.value.suggested_filename.endswith(".csv")
    with page.expect_download() as xlsx_download:
        page.click("#export-xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    assert "Workload by assignee" in book.sheetnames
    assert book["Daily summaries"].max_row == 8  # header and seven days

    visit.clean()


def test_viewer_sees_no_write_controls_and_forged_writes_are_refused(browser, live_server, demo):
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("tom")
    visit.open("/teams/operations/", "#board")
    assert page.locator("[data-move-form], [data-take-form], [draggable=true]").count() == 0
    assert page.locator("text=New task").count() == 0
    visit.accessible()
    visit.open("/teams/operations/tasks/1/", "#task-title")
    assert page.locator("#task-edit, #comment-form, #lead-actions").count() == 0
    token = next(c["value"] for c in visit.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{visit.base}/teams/operations/tasks/1/move/",
        form={"status": "done"},
        headers={"X-CSRFToken": token, "Referer": f"{visit.base}/teams/operations/"},
    )
    assert response.status == 403
    assert Task.objects.get(team__key="OPS", number=1).status != Status.DONE
    visit.clean()


def test_outsiders_get_404(browser, live_server, demo):
    visit = Visit(browser, live_server)
    visit.sign_in("dana")  # leads Product Design, not in Operations
    for path in (
        "/teams/operations/",
        "/teams/operations/tasks/1/",
        "/teams/operations/reports/",
        "/teams/operations/reports/export.csv",
    ):
        assert visit.page.request.get(visit.base + path).status == 404, path
    visit.open("/teams/", "#teams")
    assert visit.page.locator("[data-team=operations]").count() == 0
    visit.clean()


def test_phone_width_never_scrolls_sideways(browser, live_server, demo, shots):
    visit = Visit(browser, live_server, viewport=PHONE)
    page = visit.page
    visit.open("/accounts/login/", "input[name=login]")
    visit.no_sideways_scroll()
    visit.sign_in("marcus")
    pages = [
        ("/teams/", "#teams", "team-front-door-phone.png"),
        ("/teams/operations/", "#board", "team-board-phone.png"),
        ("/teams/operations/tasks/", "#task-table", "team-list-phone.png"),
        ("/teams/operations/tasks/1/", "#task-title", "team-task-phone.png"),
        ("/teams/operations/activity/", "#activity", "team-activity-phone.png"),
        ("/teams/operations/reports/", "#report", "team-reports-phone.png"),
    ]
    for path, ready, name in pages:
        visit.open(path, ready)
        visit.no_sideways_scroll()
        visit.accessible()
        if path == "/teams/operations/":
            # One column at a time, with a switcher.
            visible = [c for c in page.locator(".board-column").all() if c.is_visible()]
            assert len(visible) == 1
            page.click("[data-board-switcher] a[data-column=done]")
            assert page.locator("#column-done").is_visible()
            assert not page.locator("#column-todo").is_visible()
            page.click("[data-board-switcher] a[data-column=todo]")
        if path == "/teams/operations/tasks/":
            # The list is one card per task: rows are blocks, the header row is for readers.
            display = "e => getComputedStyle(e).display"
            assert page.eval_on_selector("#task-table tbody tr", display) == "block"
            assert page.locator("#task-table thead").bounding_box()["height"] <= 1
        page.screenshot(path=shots / name)
    visit.clean()
