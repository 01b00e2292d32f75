"""The calendars in a real browser: marcus moves an Operations task with the Move menu and by
drag and drop, switches to the week view; priya reads My calendar on a phone as an agenda.
Pages pass axe-core, never scroll sideways on a phone, and log no console error or CSP
violation. Screenshots go to $SCREENSHOT_DIR."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.tasks.models import Task
from portal.tasks.selectors import due_day_of
from tests.browser.test_team_pages import PHONE, Visit, demo  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _movable(page) -> tuple[str, Task]:
    item = page.locator("li[data-move]").first
    key = item.get_attribute("data-task")
    team_key, number = key.split("-")
    return key, Task.objects.select_related("team").get(team__key=team_key, number=int(number))


def test_marcus_moves_tasks_on_the_team_calendar(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/", "#main")
    page.click("nav.pages-tabs a:text('Calendar')")
    page.wait_for_selector("#calendar")
    assert page.locator("li.cal-task").count() > 0
    assert page.locator("td[aria-current=date]").count() == 1
    visit.accessible()
    page.screenshot(path=shots / "team-calendar.png", full_page=True)

    # The Move menu, from the keyboard's way: a date field and a button.
    key, task = _movable(page)
    old_day = due_day_of(task)
    target = old_day + timedelta(days=1 if old_day.day < 20 else -1)
    item = page.locator(f"li[data-task='{key}']")
    item.locator("summary").click()
    item.locator("input[type=date]").fill(target.isoformat())
    item.locator("button[type=submit]").click()
    page.wait_for_selector(".pages-message")
    assert f"{key} is now due" in page.inner_text(".pages-message")
    task.refresh_from_db()
    assert due_day_of(task) == target

    # Drag and drop onto another day of the month shown.
    key, task = _movable(page)
    old_day = due_day_of(task)
    # A day of the month shown (the grid's first and last weeks reach into its neighbours).
    middle = timezone.localdate().replace(day=15)
    target = middle if old_day != middle else middle + timedelta(days=1)
    # The drag's events as the browser sends them (Playwright's mouse drag does not start an
    # HTML5 drag over these links in this headless Chromium: no dragstart fired).
    moving = page.evaluate_handle("() => new DataTransfer()")
    source, day = f"li[data-task='{key}']", f"td[data-day='{target.isoformat()}']"
    page.dispatch_event(source, "dragstart", {"dataTransfer": moving})
    page.dispatch_event(day, "dragover", {"dataTransfer": moving})
    assert "is-drop-target" in page.get_attribute(day, "class")
    with page.expect_navigation():
        page.dispatch_event(day, "drop", {"dataTransfer": moving})
    task.refresh_from_db()
    assert due_day_of(task) == target

    page.click("#calendar-week")
    page.wait_for_url("**view=week**")
    assert page.locator("#calendar thead th").count() == 7
    visit.accessible()
    page.screenshot(path=shots / "team-calendar-week.png", full_page=True)
    visit.clean()


def test_priya_reads_my_calendar_on_a_phone(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server, viewport=PHONE)
    page = visit.page
    visit.sign_in("priya")
    today = timezone.localdate()
    visit.open(f"/tasks/calendar/?assignee=anyone&month={today:%Y-%m}", "#calendar")
    # An agenda: no weekday header, only days with tasks (and today), each with its date.
    assert not page.is_visible("#calendar thead")
    shown = page.locator("td.cal-day:visible")
    assert 0 < shown.count() < 35
    assert page.locator("td.cal-day:visible .cal-date-long").first.is_visible()
    visit.no_sideways_scroll()
    visit.accessible()
    page.screenshot(path=shots / "my-calendar-phone.png", full_page=True)
    visit.clean()


def test_marcus_moves_a_task_with_the_keyboard_only(browser, live_server, demo):  # noqa: F811
    """j reaches a task, Tab its Move menu, Enter opens it, the date is typed, Enter moves."""
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/calendar/", "#calendar")
    movable = page.eval_on_selector_all(
        "li.cal-task", "items => items.findIndex(i => i.dataset.move)"
    )
    assert movable >= 0
    for _ in range(movable + 1):
        page.keyboard.press("j")
    key = page.evaluate("() => document.activeElement.closest('li').dataset.task")
    team_key, number = key.split("-")
    task = Task.objects.select_related("team").get(team__key=team_key, number=int(number))
    old_day = due_day_of(task)
    target = old_day + timedelta(days=1 if old_day.day < 20 else -1)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "date"
    # The date field's parts in the browser's (en-US) order: month, day, year.
    page.keyboard.type(f"{target:%m%d%Y}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector(".pages-message")
    assert f"{key} is now due" in page.inner_text(".pages-message")
    task.refresh_from_db()
    assert due_day_of(task) == target
    visit.clean()
