"""The admin as a member sees it, in a real browser (Debian chromium through Playwright).

Screenshots go to $SCREENSHOT_DIR when set (`make screenshots` writes docs/screenshots/),
otherwise to a temporary folder.
"""

import pytest
from django.core.management import call_command
from django.db.models import Count

from portal.demo.management.commands.demo import DEMO_ADMIN, DEMO_ADMIN_PASSWORD
from portal.tasks.admin.task_actions import BULK_CHANGED
from portal.tasks.models import Task
from tests.browser.browsing import phone_overflow, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each dashboard chart shows, read from Chart.js itself.
CHARTS = """() => Array.from(document.querySelectorAll('canvas.chart')).map((canvas) => {
    const chart = Chart.getChart(canvas);
    const valueAxis = chart.options.indexAxis === 'y' ? 'x' : 'y';
    return {
        type: chart.config.type,
        legend: chart.options.plugins.legend.display,
        values: chart.options.plugins.barValues.display,
        valueTicks: chart.options.scales[valueAxis].ticks.display !== false
            ? chart.scales[valueAxis].ticks.length : 0,
        named: chart.scales[valueAxis === 'y' ? 'x' : 'y'].ticks.length,
        labels: chart.data.labels.length,
    };
})"""
# Whether every card's icon lies inside its card (unfold's card icon hung half outside).
ICONS_INSIDE = """() => Array.from(document.querySelectorAll('#kpis a')).every((card) => {
    const c = card.getBoundingClientRect();
    const icon = card.querySelector('.material-symbols-outlined');
    const i = icon.getBoundingClientRect();
    return i.width > 0 && i.left >= c.left && i.right <= c.right && i.top >= c.top
        && i.bottom <= c.bottom;
})"""


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
    # charts with values on their axis, a legend for the two lines, numbers on the bars
    assert page.evaluate("() => Boolean(Chart.registry.plugins.get('barValues'))")
    charts = page.evaluate(CHARTS)
    assert [c["type"] for c in charts] == ["line", "bar", "bar"]
    assert all(c["valueTicks"] > 1 for c in charts)
    assert charts[0]["legend"] and all(c["values"] for c in charts[1:])
    assert page.evaluate(ICONS_INSIDE)
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
    assert BULK_CHANGED.format(verb="Set status to Blocked on", tasks="2 tasks") in page.content()

    # change form: one tab set, then the comments and the box for a new one, and history
    page.goto(f"{live_server.url}/admin/tasks/task/1/change/")
    assert "OPS-1" in page.title()
    assert page.locator("textarea[name$='-0-body']").count() == 1
    discussed = (
        Task.objects.filter(team__key="OPS")
        .annotate(n=Count("comments"))
        .filter(n__gte=2)
        .order_by("number")
        .first()
    )
    page.goto(f"{live_server.url}/admin/tasks/task/{discussed.pk}/change/")
    assert page.locator("#task-comments li").count() == discussed.n
    assert page.locator("#comments-group textarea").count() == 1
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
        assert phone_overflow(page) <= 0, f"{path} scrolls sideways"
        if name:
            page.screenshot(path=shots / name, full_page=True)
    # the task table itself does not scroll sideways either: each task is a compact block
    table = page.locator("#result_list")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    first = page.locator("#result_list tr.data-row").first
    for cell in ("key_display", "title", "status_display", "due_display"):
        box = first.locator(f".field-{cell}").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, cell
    page.screenshot(path=shots / "tasks-phone.png", full_page=False)
    assert errors == []


def test_phone_dashboard_cards_take_a_short_band(browser, live_server):
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, "marcus", width=390, height=844)
    page.wait_for_selector("canvas.chart")
    cards = page.locator("#kpis a")
    tops = sorted({round(cards.nth(i).bounding_box()["y"]) for i in range(4)})
    assert len(tops) == 2  # two cards per row
    assert page.locator("#kpis").bounding_box()["height"] < 0.25 * 844
    assert page.evaluate(ICONS_INSIDE)
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


def test_forbidden_page_is_styled_with_navigation(browser, live_server, shots):
    call_command("demo", verbosity=0)
    for width, name in [(1440, "error-403.png"), (390, None)]:
        page, errors = signed_in_page(browser, live_server, "marcus", width=width, height=844)
        response = page.goto(f"{live_server.url}/admin/jobs/job/")
        assert response.status == 403
        assert page.locator("#error-page[data-status='403']").count() == 1
        assert page.locator("#error-page a", has_text="Back to the dashboard").count() == 1
        if name:
            page.screenshot(path=shots / name, full_page=False)
        assert phone_overflow(page) <= 0
        # the browser reports the page's own 403 status as a console error; nothing else
        assert [e for e in errors if "status of 403" not in e] == []
        page.context.close()


def test_administrator_dashboard_shows_operations(browser, live_server, shots):
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, DEMO_ADMIN, password=DEMO_ADMIN_PASSWORD)
    page.wait_for_selector("canvas.chart")
    assert "All teams" in page.locator("h1 + p").inner_text()
    assert "Schedules" in page.locator("#nav-sidebar-inner, nav").first.inner_text()
    # more people in the workload chart than a skipping axis would name: each bar is named
    charts = page.evaluate(CHARTS)
    assert charts[2]["labels"] > 8 and all(c["named"] == c["labels"] for c in charts[1:])
    page.screenshot(path=shots / "dashboard-admin.png", full_page=True)
    assert errors == []


def test_task_filters_search_people_as_you_type(browser, live_server, shots):
    """The people filter is a search box: typing offers matching people of my teams only."""
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, "marcus")
    page.goto(f"{live_server.url}/admin/tasks/task/")
    page.click("a.filter-open-button")
    assignee = page.locator("#changelist-filter select[name=assignee] + .select2")
    assignee.click()
    search = page.locator(".select2-container--open .select2-search__field")
    # before typing: "me" and "none" first, then people
    page.wait_for_selector(".select2-results__option:not(.loading-results)")
    offered = page.locator(".select2-results__option").all_inner_texts()
    assert offered[:2] == ["Assigned to me", "Unassigned"] and len(offered) > 2
    search.fill("pri")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.select2-results__option')]"
        ".map(o => o.textContent.trim()).join() === 'priya'"
    )
    page.screenshot(path=shots / "admin-task-filters.png", full_page=False)
    # ines leads a team marcus is not in: she is not offered to him
    search.fill("ines")
    page.wait_for_selector(".select2-results__message")
    search.fill("pri")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.select2-results__option')]"
        ".map(o => o.textContent.trim()).join() === 'priya'"
    )
    page.keyboard.press("Enter")
    page.click("#filter-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    priya = page.evaluate("() => new URL(location.href).searchParams.get('assignee')")
    assert priya and priya.isdigit()
    assignees = page.locator("#result_list .field-assignees_display").all_inner_texts()
    assert assignees and all("priya" in a for a in assignees)
    assert errors == []
