"""My work and the list's bulk edit in a real browser: priya (in Operations and Product
design) works her tasks of both teams from /tasks/, marcus changes three tasks at once on the
Operations list. Both pages pass axe-core at desktop and phone width, never scroll sideways on a
phone, and log no console error or CSP violation. Screenshots go to $SCREENSHOT_DIR."""

from __future__ import annotations

import pytest

from portal.tasks.models import Priority, Task
from tests.browser.test_team_pages import PHONE, Visit, demo  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def teams_shown(page) -> set[str]:
    return set(page.locator("#task-table td[data-label=Team]").all_inner_texts())


def test_priya_works_both_teams_from_my_work(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("priya")
    visit.open("/teams/", "#teams")
    page.click("#my-work-link")
    page.wait_for_selector("#task-table")
    assert page.url.endswith("/tasks/")
    assert page.locator("#f-assignee").input_value() == "me"
    assert teams_shown(page) == {"Operations", "Product Design"}
    priya = Task.objects.filter(assignees__username="priya", is_archived=False)
    assert page.inner_text("#task-total") == f"{priya.count()} tasks"
    visit.accessible()
    page.screenshot(path=shots / "my-work.png", full_page=True)

    # Everyone's tasks of her two teams, then sorted by the Due header (and back).
    page.select_option("#f-assignee", "anyone")
    page.click("#task-filters button[type=submit] >> nth=0")
    page.wait_for_url("**/tasks/?assignee=anyone")
    assert page.locator("#task-table tbody tr").count() == 25
    page.click("#task-table th a:text('Due')")
    page.wait_for_url("**ordering=due_date**")
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "ascending"
    page.click("#task-table th[aria-sort] a")
    page.wait_for_url("**ordering=-due_date**")
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    assert page.locator("#f-assignee").input_value() == "anyone"
    visit.accessible()

    # A task of the other team opens on its team's page.
    visit.open("/tasks/", "#task-table")
    rows = page.locator("#task-table tbody tr").filter(has_text="Product Design")
    rows.locator("td[data-label=Title] a").first.click()
    page.wait_for_url("**/teams/product-design/tasks/*/")
    visit.clean()


def test_marcus_bulk_edits_three_tasks_on_the_list(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/tasks/?ordering=number", "#bulk-panel")
    boxes = page.locator("input[data-bulk-row]")
    assert not page.is_visible("#bulk-priority")  # the changes open once a row is chosen
    for index in range(3):
        boxes.nth(index).check()
    assert page.inner_text("#bulk-count") == "(3 selected)"
    page.select_option("#bulk-priority", "urgent")
    page.select_option("#bulk-add-tag", index=1)
    tag = page.locator("#bulk-add-tag option").nth(1).inner_text()
    page.fill("#bulk-due", "2031-01-15")
    visit.accessible()
    page.screenshot(path=shots / "team-list-bulk.png")
    page.click("#bulk-apply")
    page.wait_for_selector(".pages-message")
    assert "Changed 3 tasks." in page.inner_text("main")
    changed = Task.objects.filter(team__slug="operations", number__in=[1, 2, 3])
    assert {t.priority for t in changed} == {Priority.URGENT}
    assert all(tag in [x.name for x in t.tags.all()] for t in changed)
    assert {str(t.due_day) for t in changed} == {"2031-01-15"}
    # Select all, and the header checkbox says when only some are chosen.
    page.check("#bulk-all")
    assert page.inner_text("#bulk-count") == f"({boxes.count()} selected)"
    boxes.first.uncheck()
    assert page.evaluate("document.getElementById('bulk-all').indeterminate")
    visit.accessible()
    visit.clean()


def test_phone_width_my_work_and_the_bulk_bar(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server, viewport=PHONE)
    page = visit.page
    visit.sign_in("priya")
    visit.open("/tasks/", "#task-table")
    assert not page.is_visible("#bulk-apply")
    visit.no_sideways_scroll()
    visit.accessible()
    page.screenshot(path=shots / "my-work-phone.png")
    visit.open("/teams/operations/tasks/", "#task-table")
    page.locator("input[data-bulk-row]").first.check()
    assert page.is_visible("#bulk-apply")
    page.evaluate("window.scrollTo(0, 0)")
    visit.no_sideways_scroll()
    visit.accessible()
    page.screenshot(path=shots / "team-list-bulk-phone.png")
    visit.clean()
