"""The board filtered and in swimlanes, in a real browser: the list's filter form narrows the
board, the layout form groups it by assignee, a card moved with its menu stays on the same
address (filters and lanes kept) in its new column. axe-core at desktop and phone width;
screenshots of the board in swimlanes (`make screenshots`: docs/screenshots/)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.tasks.models import Status, Task
from tests.browser.test_team_pages import PHONE, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "shared"
    call_command("demo", verbosity=0)


def test_filter_group_by_assignee_and_move_with_the_menu(browser, live_server, demo, shots):
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/", "#board")

    # Filter with the list's form: high and urgent tasks only.
    page.click("#task-filters summary")
    page.check("#task-filters input[name=priority][value=high]")
    page.check("#task-filters input[name=priority][value=urgent]")
    page.locator("#task-filters").get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/teams/operations/?*priority=high*")
    badges = page.locator("#board [data-card] .pages-badge").all_inner_texts()
    assert badges and {b.split()[-1] for b in badges} <= {"High", "Urgent"}

    # Swimlanes by assignee: the filters stay in the address.
    page.select_option("#b-group", "assignee")
    page.locator("#board-view").get_by_role("button", name="Show").click()
    page.wait_for_selector(".lane")
    assert "group=assignee" in page.url and "priority=high" in page.url
    lanes = page.locator(".lane-title").all_inner_texts()
    assert len(lanes) >= 2
    # Each lane has a cell per column, each with its count.
    assert page.locator(".lane").first.locator("[data-cell-count]").count() == 4
    visit.accessible()
    page.screenshot(path=shots / "team-board-swimlanes.png", full_page=True)

    # Move a card with its menu: the page comes back with the same filters and lanes.
    address = page.url
    card = page.locator('.lane-cell[data-column="todo"] [data-card]:has([data-move-form])').first
    key = card.get_attribute("data-key")
    card.locator("summary").click()
    expect(card.locator("summary")).to_have_attribute("aria-expanded", "true")
    card.get_by_role("button", name="Move to Blocked").click()
    page.wait_for_selector(f'.lane-cell[data-column="blocked"] [data-key="{key}"]')
    assert page.url == address
    # The page was read again; focus is back on the moved card.
    focused = "document.activeElement.closest('[data-card]')?.dataset.key"
    assert page.evaluate(focused) == key
    assert f"{key} moved to Blocked." in page.locator(".pages-message").first.inner_text()
    number = int(key.split("-")[1])
    assert Task.objects.get(team__key="OPS", number=number).status == Status.BLOCKED
    visit.clean()

    phone = Visit(browser, live_server, viewport=PHONE)
    phone.sign_in("marcus")
    phone.open("/teams/operations/?group=assignee&priority=high,urgent", ".lane")
    # One column at a time in every lane; the switcher keeps the filters and lanes.
    visible = [c for c in phone.page.locator(".lane-cell").all() if c.is_visible()]
    assert visible and {c.get_attribute("data-column") for c in visible} == {"todo"}
    phone.page.click("[data-board-switcher] a[data-column=blocked]")
    visible = [c for c in phone.page.locator(".lane-cell").all() if c.is_visible()]
    assert {c.get_attribute("data-column") for c in visible} == {"blocked"}
    assert "group=assignee" in phone.page.url and "column=blocked" in phone.page.url
    phone.accessible()
    phone.no_sideways_scroll()
    phone.page.screenshot(path=shots / "team-board-swimlanes-phone.png")
    phone.clean()
