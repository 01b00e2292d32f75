"""Saved views in a real browser: olivia (Operations' lead) saves the list's filters as a view,
shares it, opens it again from the menu and makes it the team's default; marcus then opens the
bare list on a phone and gets the default. Pages pass axe-core with the menu open, at desktop
and 390 px, never scroll sideways on a phone, and log no console error or CSP violation.
The menu's screenshots go to $SCREENSHOT_DIR (`make screenshots`)."""

from __future__ import annotations

import pytest

from portal.savedviews.models import SavedView
from tests.browser.test_team_pages import PHONE, Visit, demo  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LIST = "/teams/operations/tasks/"


def open_menu(page) -> None:
    page.click("#saved-views-button")
    page.wait_for_selector(".saved-views-panel", state="visible")


def test_olivia_saves_reopens_and_makes_a_view_the_default(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("olivia")
    visit.open(f"{LIST}?priority=urgent,high&ordering=-priority&page=1", "#task-filters")
    assert page.inner_text("#saved-views-current") == "None"

    open_menu(page)
    page.fill("#saved-view-name", "Hot work")
    page.check("input[name=shared]")
    page.click("#saved-view-save button[type=submit]")
    page.wait_for_selector(".pages-message")
    assert "Saved the view “Hot work”." in page.inner_text(".pages-message")
    view = SavedView.objects.get(name="Hot work")
    assert view.shared and view.params == {"ordering": "-priority", "priority": "urgent,high"}
    assert f"saved={view.pk}" in page.url
    assert page.inner_text("#saved-views-current") == "Hot work"
    visit.collect()

    # Another page of the list, then the view again from the menu.
    visit.open(f"{LIST}?saved=none", "#task-filters")
    open_menu(page)
    assert "No saved view" in page.locator(".saved-views-list a[aria-current=true]").inner_text()
    page.click(f"a[data-saved-view='{view.pk}']")
    page.wait_for_url(f"**saved={view.pk}**")
    assert page.inner_text("#saved-views-current") == "Hot work"
    priorities = page.locator("#task-table td[data-label=Priority]").all_inner_texts()
    assert priorities and set(priorities) <= {"Urgent", "High"}

    open_menu(page)
    visit.accessible()
    page.screenshot(path=shots / "saved-views-menu.png")
    with page.expect_navigation():
        page.click("button[value=default]")
    assert "now opens when someone opens this page" in page.inner_text(".pages-message")
    view.refresh_from_db()
    assert view.is_default

    # The bare address opens the default; "No saved view" shows every task.
    visit.open(LIST, "#task-filters")
    assert f"saved={view.pk}" in page.url
    open_menu(page)
    assert page.locator(f"a[data-saved-view='{view.pk}']").get_attribute("aria-current") == "true"
    page.click("text=No saved view (no filters)")
    page.wait_for_url("**saved=none**")
    assert page.inner_text("#saved-views-current") == "None"
    visit.clean()


def test_marcus_gets_the_teams_default_on_a_phone(browser, live_server, demo, shots):  # noqa: F811
    from portal.accounts.models import User
    from portal.savedviews.services import saved_view_create

    olivia = User.objects.get(username="olivia")
    team = olivia.memberships.get(team__slug="operations").team
    view = saved_view_create(
        actor=olivia,
        team=team,
        kind="list",
        name="Open, by due day",
        params={"open": "true", "ordering": "due_date"},
        is_default=True,
    )
    visit = Visit(browser, live_server, viewport=PHONE)
    page = visit.page
    visit.sign_in("marcus")
    visit.open(LIST, "#task-filters")
    assert f"saved={view.pk}" in page.url
    assert page.inner_text("#saved-views-current") == "Open, by due day"
    open_menu(page)
    assert page.locator("input[name=shared]").count() == 0  # members do not share
    assert page.locator("button[value=default]").count() == 0
    visit.no_sideways_scroll()
    visit.accessible()
    page.screenshot(path=shots / "saved-views-phone.png")
    page.fill("#saved-view-name", "Mine")
    page.click("#saved-view-save button[type=submit]")
    page.wait_for_selector(".pages-message")
    assert SavedView.objects.get(name="Mine").owner.username == "marcus"
    visit.no_sideways_scroll()
    visit.clean()
