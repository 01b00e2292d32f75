"""Search from the header and the board's card menu, in a real browser: "/" focuses the search
box, a key jumps to its task, words list matches grouped by team; a card's Actions menu opens
from the keyboard, says whether it is open, closes on Escape, moves the card and takes it.
axe-core at desktop and phone width; screenshots of the results and of an open card menu."""

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


def test_slash_focuses_the_search_and_a_key_jumps_to_its_task(browser, live_server, demo):
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/", "#board")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"
    # Typed into a field, "/" is a character like any other.
    page.keyboard.type("ops/")
    assert page.input_value("#site-search") == "ops/"
    page.fill("#site-search", "ops-42")
    page.keyboard.press("Enter")
    page.wait_for_selector("#task-title")
    assert page.url == f"{visit.base}/teams/operations/tasks/42/"
    visit.clean()


def test_words_list_matches_grouped_by_team(browser, live_server, demo, shots):
    for viewport, name in ((None, "team-search.png"), (PHONE, "team-search-phone.png")):
        visit = Visit(browser, live_server, **({"viewport": viewport} if viewport else {}))
        page = visit.page
        visit.sign_in("priya")  # in Operations and Product Design
        visit.open("/teams/", "#teams")
        page.keyboard.press("/")
        page.keyboard.type("audit")
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-results")
        teams = page.locator("[data-search-team]").evaluate_all(
            "nodes => nodes.map(n => n.dataset.searchTeam)"
        )
        assert teams == ["operations", "product-design"]
        assert page.input_value("#site-search") == "audit"
        visit.accessible()
        visit.no_sideways_scroll()
        page.screenshot(path=shots / name, full_page=True)
        visit.clean()


def card_menu(page, status: str):
    card = page.locator(f"#cards-{status} [data-card]:has([data-take-form])").first
    return card, card.locator("summary")


def test_the_card_menu_moves_and_takes_from_the_keyboard(browser, live_server, demo, shots):
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/", "#board")

    # Open from the keyboard: aria-expanded follows; Escape closes and keeps focus on it.
    card, summary = card_menu(page, "todo")
    card_id, key = card.get_attribute("id"), card.get_attribute("data-key")
    summary.focus()
    page.keyboard.press("Enter")
    expect(summary).to_have_attribute("aria-expanded", "true")
    visit.accessible()
    page.screenshot(path=shots / "team-board-menu.png")
    page.keyboard.press("Escape")
    expect(summary).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"

    # Move with the pointer (the end-to-end journey moves with the keyboard): the card goes to
    # Blocked and keeps focus there; a click elsewhere closes an open menu.
    summary.click()
    page.click("h1")
    expect(summary).to_have_attribute("aria-expanded", "false")
    summary.click()
    card.get_by_role("button", name="Move to Blocked").click()
    page.wait_for_selector(f"#cards-blocked #{card_id}")
    expect(page.locator(f"#card-title-{card_id[5:]}")).to_be_focused()
    expect(page.locator("#pages-status")).to_contain_text(f"{key} moved to Blocked.")
    assert Task.objects.get(pk=int(card_id[5:])).status == Status.BLOCKED

    # Take: from the same menu; afterwards the card offers Take no more.
    card, summary = card_menu(page, "in_progress")
    taken_id = card.get_attribute("id")
    summary.click()
    card.locator("[data-take-form] button").click()
    page.wait_for_function(f"!document.querySelector('#{taken_id} [data-take-form]')")
    names = Task.objects.get(pk=int(taken_id[5:])).assignees.values_list("username", flat=True)
    assert "marcus" in set(names)
    visit.clean()

    phone = Visit(browser, live_server, viewport=PHONE)
    phone.sign_in("marcus")
    phone.open("/teams/operations/", "#board")
    _, summary = card_menu(phone.page, "todo")
    summary.click()
    expect(summary).to_have_attribute("aria-expanded", "true")
    phone.accessible()
    phone.no_sideways_scroll()
    phone.page.screenshot(path=shots / "team-board-menu-phone.png")
    phone.clean()


def test_my_teams_show_whole_titles(browser, live_server, demo):
    for viewport in (None, PHONE):
        visit = Visit(browser, live_server, **({"viewport": viewport} if viewport else {}))
        visit.sign_in("marcus")
        visit.open("/teams/", "#teams")
        titles = visit.page.locator("#teams .my-tasks-title")
        assert titles.count() == 5
        cut = titles.evaluate_all(
            "nodes => nodes.filter(n => n.scrollWidth > n.clientWidth"
            " || getComputedStyle(n).whiteSpace === 'nowrap').map(n => n.textContent)"
        )
        assert cut == []
        # Words break between words: every title line is wider than a few letters.
        narrow = titles.evaluate_all(
            "nodes => nodes.filter(n => n.getBoundingClientRect().width < 150).length"
        )
        assert narrow == 0
        visit.clean()
