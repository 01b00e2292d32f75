"""The admin as a member sees it, in a real browser (Debian chromium through Playwright).

Screenshots go to $SCREENSHOT_DIR when set (`make screenshots` writes docs/screenshots/),
otherwise to a temporary folder.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.adminsite.management.commands.demo import DEMO_USER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


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


def signed_in_page(browser, live_server, username, width=1440, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_USER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page, errors


def test_member_dashboard_list_and_form(browser, live_server, shots):
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, "marcus")

    # dashboard: KPI cards, three charts drawn from unfold's Chart.js, my tasks
    page.wait_for_selector("canvas.chart")
    assert page.locator("#kpis a").count() == 4
    assert page.locator("canvas.chart").count() == 3
    assert page.locator("#my-tasks tbody tr").count() > 0
    assert "Operations" in page.locator("h1 + p").inner_text()
    sidebar = page.locator("#nav-sidebar-inner, nav").first.inner_text()
    assert "Tasks" in sidebar and "Schedules" not in sidebar  # operations are for admins
    page.screenshot(path=shots / "dashboard-member.png", full_page=True)

    # task list: only Operations tasks, labels, filters and a search by key
    page.goto(f"{live_server.url}/admin/tasks/task/?q=OPS-1")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "OPS-1" in rows.first.inner_text()
    page.goto(f"{live_server.url}/admin/tasks/task/")
    keys = page.locator("#result_list tbody tr .field-key_display").all_inner_texts()
    assert keys and all(k.strip().startswith("OPS-") for k in keys)
    page.screenshot(path=shots / "tasks-member.png", full_page=False)

    # bulk action: select two rows, set status through the action bar
    page.locator("#result_list tbody input.action-select").nth(0).check()
    page.locator("#result_list tbody input.action-select").nth(1).check()
    page.select_option("select[name=action]", "mark_blocked")
    page.click("button[name=index]")
    page.wait_for_load_state("networkidle")
    assert "Set status to Blocked on 2 task(s)" in page.content()

    # change form with tabs, comment box and history
    page.goto(f"{live_server.url}/admin/tasks/task/1/change/")
    assert "OPS-1" in page.title()
    assert page.locator("textarea[name$='-0-body']").count() == 1
    page.screenshot(path=shots / "task-form-member.png", full_page=True)
    page.goto(f"{live_server.url}/admin/tasks/task/1/history/")
    assert "View history" in page.title() or "Change history" in page.title()

    assert errors == []


def test_phone_width_has_no_page_overflow(browser, live_server, shots):
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, "marcus", width=390, height=844)
    for path, name in [("/admin/", "dashboard-phone.png"), ("/admin/tasks/task/", None)]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px"
        if name:
            page.screenshot(path=shots / name, full_page=False)
    assert errors == []


def test_viewer_sees_no_save_buttons_or_actions(browser, live_server):
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, "tom")
    page.goto(f"{live_server.url}/admin/tasks/task/")
    # Exporting the selected rows (reading) is the only action a viewer gets.
    options = page.locator("select[name=action] option").evaluate_all("os => os.map(o => o.value)")
    assert [value for value in options if value] == ["export_admin_action"]
    page.goto(f"{live_server.url}/admin/tasks/task/1/change/")
    assert page.locator("input[name=_save], button[name=_save]").count() == 0
    assert errors == []
