"""Custom fields in a real browser: a lead defines one on the team's admin page, a member fills
it on the task page, then filters the team's list by it."""

import pytest
from django.core.management import call_command

from portal.demo.management.commands.demo import DEMO_ADMIN, DEMO_ADMIN_PASSWORD
from portal.tasks.models import CustomField, Task
from portal.teams.models import Team
from tests.browser.browsing import phone_overflow, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_defines_member_fills_and_filters(browser, live_server, shots):
    call_command("demo", verbosity=0)
    team = Team.objects.get(slug="operations")
    base = live_server.url

    page, errors = signed_in_page(browser, live_server, "olivia")
    page.goto(f"{base}/admin/teams/team/{team.pk}/change/")
    page.get_by_role("link", name="Custom fields", exact=False).first.click()
    page.get_by_text("Add another Custom field", exact=False).first.click()
    page.fill("[name=custom_fields-0-name]", "Severity")
    page.fill("[name=custom_fields-0-key]", "severity")
    page.select_option("[name=custom_fields-0-type]", "choice")
    page.fill("[name=custom_fields-0-choices_lines]", "S1\nS2\nS3")
    page.check("[name=custom_fields-0-on_card]")
    page.locator("[name=_continue]").first.click()
    page.wait_for_load_state()
    field = CustomField.objects.get(team=team, key="severity")
    assert [c["label"] for c in field.choices] == ["S1", "S2", "S3"]
    page.get_by_role("link", name="Custom fields", exact=False).first.click()
    page.screenshot(path=shots / "custom-fields-definitions.png", full_page=True)
    page.context.close()

    # Someone who writes to several teams adds a task: choosing the team brings its fields,
    # and what was typed stays.
    page, errors = signed_in_page(browser, live_server, DEMO_ADMIN, password=DEMO_ADMIN_PASSWORD)
    page.goto(f"{base}/admin/tasks/task/add/")
    assert page.locator("[name=cf_severity]").count() == 0
    page.fill("[name=title]", "Typed before the team")
    page.select_option("select[name=team]", str(team.pk))
    page.wait_for_url(f"**team={team.pk}**")
    assert page.input_value("[name=title]") == "Typed before the team"
    assert page.locator("[name=cf_severity]").count() == 1
    assert not errors, errors
    page.context.close()

    task = Task.objects.filter(team=team, is_archived=False).order_by("number").first()
    page, errors = signed_in_page(browser, live_server, "marcus")
    page.goto(f"{base}/teams/operations/tasks/{task.number}/")
    s2 = next(c["id"] for c in field.choices if c["label"] == "S2")
    page.select_option("#edit-cf_severity", s2)
    page.click("#save-task")
    page.wait_for_url(f"{base}/teams/operations/tasks/{task.number}/")
    task.refresh_from_db()
    assert task.custom_fields == {"severity": s2}
    assert "Severity" in page.locator("#history, .history, body").first.inner_text()
    page.screenshot(path=shots / "custom-fields-task.png", full_page=True)

    page.goto(f"{base}/teams/operations/tasks/")
    page.locator("summary", has_text="Filters and order").click()
    page.select_option("#f-cf_severity", "S2")
    page.locator("#task-filters button[type=submit]").first.click()
    page.wait_for_url("**cf_severity=S2**")
    rows = page.locator("#task-table tbody tr")
    assert rows.count() == 1
    assert task.key in rows.first.inner_text()
    page.screenshot(path=shots / "custom-fields-list.png", full_page=True)

    page.goto(f"{base}/teams/operations/")
    assert "Severity: S2" in page.locator(f"#card-{task.pk}").inner_text()
    page.locator(f"#card-{task.pk}").scroll_into_view_if_needed()
    page.screenshot(path=shots / "custom-fields-board.png")

    # The admin's task list shows the field as a column when chosen.
    page.goto(f"{base}/admin/tasks/task/?team={team.pk}&columns=severity")
    header = page.locator("th.column-cf_column_severity")
    assert header.count() == 1
    row = page.locator("tr", has=page.get_by_role("link", name=task.key, exact=True))
    assert row.locator("td.field-cf_column_severity").inner_text() == "S2"
    page.screenshot(path=shots / "custom-fields-admin-columns.png")

    # The report spreads the tasks over the field's choices, chart and table.
    page.goto(f"{base}/teams/operations/reports/")
    report = page.locator("#report-cf-severity")
    assert report.locator("canvas.chart").count() == 1
    assert "S2" in report.locator("table").inner_text()
    report.scroll_into_view_if_needed()
    report.screenshot(path=shots / "custom-fields-report.png")
    assert not errors, errors
    page.context.close()

    # On a phone: the task page's form and the board's card show the field, nothing scrolls
    # sideways.
    page, errors = signed_in_page(browser, live_server, "marcus", width=390, height=844)
    page.goto(f"{base}/teams/operations/tasks/{task.number}/")
    assert page.locator("#edit-cf_severity").is_visible()
    assert phone_overflow(page) == 0
    page.screenshot(path=shots / "custom-fields-task-phone.png", full_page=True)
    page.goto(f"{base}/teams/operations/")
    assert "Severity: S2" in page.locator(f"#card-{task.pk}").inner_text()
    assert phone_overflow(page) == 0
    # A phone shows one column at a time: open the card's.
    page.locator(f"[data-board-switcher] a[data-column={task.status}]").click()
    page.locator(f"#card-{task.pk}").scroll_into_view_if_needed()
    page.screenshot(path=shots / "custom-fields-board-phone.png")
    assert not errors, errors
