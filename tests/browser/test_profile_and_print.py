"""The profile page and a printed report in a real browser: marcus opens his profile from the
account menu, chooses Asia/Tokyo and sees a task's due time in Tokyo's time; a report printed
(print media emulated) shows every weekly table in full, without the header or the buttons.
Both pages pass axe-core and log no console error or CSP violation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.accounts.models import User
from portal.tasks.services import task_create
from portal.teams.models import Team
from tests.browser.test_team_pages import Visit, demo  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marcus_changes_his_zone_and_sees_the_task_time_move(browser, live_server, demo, shots):  # noqa: F811
    marcus = User.objects.get(username="marcus")
    team = Team.objects.get(slug="operations")
    due = (timezone.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    assert due.utcoffset() == timedelta(0)  # 09:00 UTC
    task = task_create(actor=marcus, team=team, title="Call the supplier", due_date=due)
    task_url = f"/teams/operations/tasks/{task.number}/"

    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open(task_url, "main")
    assert "09:00" in page.inner_text("main")

    visit.open("/teams/", "#teams")
    page.click(".pages-menu summary")
    page.click("#profile-link")
    page.wait_for_selector("#profile-form")
    assert page.url.endswith("/profile/")
    assert page.get_by_label("Time zone").count() == 1
    assert page.get_by_label("Email me the daily summary").count() == 1
    visit.accessible()

    # A wrong value first: the error is named beside the field.
    page.fill("#id_first_name", "Marcus\u0007")
    page.click("#save-profile")
    page.wait_for_selector("#profile-errors")
    assert "control characters" in page.inner_text("#id_first_name_error")
    visit.accessible()
    assert visit.errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    visit.errors.clear()  # the refused form's own 400, as intended

    page.fill("#id_first_name", "Marcus")
    page.select_option("#id_time_zone", "Asia/Tokyo")
    page.check("#id_receive_daily_summary")
    page.click("#save-profile")
    page.wait_for_selector(".pages-message")
    assert "Your profile was saved." in page.inner_text("main")
    page.screenshot(path=shots / "profile.png", full_page=True)
    marcus.refresh_from_db()
    assert (marcus.time_zone, marcus.receive_daily_summary) == ("Asia/Tokyo", True)

    visit.open(task_url, "main")
    assert "18:00" in page.inner_text("main")  # 09:00 UTC is 18:00 in Tokyo
    visit.clean()


def test_a_printed_report_shows_every_weekly_table_in_full(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("olivia")
    visit.open("/teams/operations/reports/?days=365", "#report")
    # On screen the weekly tables scroll in their boxes.
    flow = page.locator("#report-flow .report-table")
    assert flow.evaluate("e => e.scrollHeight > e.clientHeight + 1")
    visit.accessible()

    page.emulate_media(media="print")
    for hidden in (".pages-header", ".pages-tabs", "#range-form", "#exports", ".pages-btn"):
        assert all(not el.is_visible() for el in page.locator(hidden).all()), hidden
    tables = page.locator(".report-table")
    assert tables.count() >= 5
    for index in range(tables.count()):
        box = tables.nth(index)
        cut = box.evaluate("e => e.scrollHeight - e.clientHeight")
        style = box.evaluate("e => getComputedStyle(e).overflowY")
        assert cut <= 1 and style == "visible", (index, cut, style)
        last_row = box.locator("tbody tr").last
        assert last_row.is_visible()
    weeks = page.locator("#table-flow tbody tr")
    assert weeks.count() >= 52
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.screenshot(path=shots / "report-print.png", full_page=True)
    visit.clean()
