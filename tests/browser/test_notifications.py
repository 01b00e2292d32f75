"""The bell and the inbox in a real browser: the lead assigns a task to a member; after a
reload the member's bell counts one more, the inbox opens and its row leads to the task."""

from __future__ import annotations

import pytest

from portal.accounts.models import User
from portal.events.services import events_dispatch
from portal.tasks.services import comment_add, task_create
from portal.teams.models import Role, Team
from tests.browser.browsing import phone_overflow, signed_in_page
from tests.browser.test_team_pages import DESKTOP, PHONE, Visit, demo  # noqa: F401 (a fixture)
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bell(page) -> int:
    count = page.locator("#bell-count")
    return int(count.inner_text()) if count.count() else 0


def test_an_assignment_rings_the_bell_and_the_inbox_leads_to_the_task(browser, live_server):
    team = TeamFactory(name="Operations", slug="operations", key="OPS")
    lead = UserFactory(username="lena")
    member = UserFactory(username="mo")
    MembershipFactory(user=lead, team=team, role=Role.LEAD)
    MembershipFactory(user=member, team=team, role=Role.MEMBER)
    page, errors = signed_in_page(browser, live_server, "mo", password=PASSWORD)
    page.goto(f"{live_server.url}/teams/operations/")
    before = bell(page)

    # The second person assigns a task; the outbox is dispatched as its job would.
    task = task_create(actor=lead, team=team, title="Replace the toner", assignees=[member])
    events_dispatch()

    page.reload()
    assert bell(page) == before + 1
    page.click("#header-bell")
    page.wait_for_selector("#inbox-list")
    row = page.locator("#inbox-list li").first
    assert "OPS-" in row.inner_text() and "Assigned to you" in row.inner_text()
    row.locator("a").click()
    page.wait_for_url(f"**/teams/operations/tasks/{task.number}/")
    assert page.inner_text("#task-title") == "Replace the toner"
    assert bell(page) == before
    assert errors == []


def bell_accessible(page) -> None:
    """axe-core on the admin's bell (unfold's own page has landmark findings of its own)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context="#admin-bell")
    assert [v["id"] for v in results.response["violations"]] == []
    assert results.response["passes"], "axe checked nothing"


def test_the_bell_inbox_and_email_choices_at_both_widths(browser, live_server, demo, shots):  # noqa: F811
    """marcus is assigned a task and mentioned by olivia: the admin's bell counts them, the
    inbox lists them, and his email choices page works; each page passes axe-core at desktop
    and phone widths and logs no error. Screenshots: notifications-*.png."""
    olivia = User.objects.get(username="olivia")
    marcus = User.objects.get(username="marcus")
    team = Team.objects.get(slug="operations")
    task = task_create(actor=olivia, team=team, title="Replace the toner", assignees=[marcus])
    comment_add(actor=olivia, task=task, body="@marcus the spare toner is in the cupboard.")
    events_dispatch()

    for suffix, viewport in [("", DESKTOP), ("-phone", PHONE)]:
        visit = Visit(browser, live_server, viewport)
        page = visit.page
        visit.sign_in("marcus")

        visit.open("/admin/", "#admin-bell")
        unread = int(page.inner_text("#admin-bell-count"))
        assert unread >= 2
        assert page.get_attribute("#admin-bell", "aria-label") == f"Inbox: {unread} unread"
        bell_accessible(page)
        page.screenshot(path=shots / f"notifications-admin-bell{suffix}.png")

        page.click("#admin-bell")
        page.wait_for_selector("#inbox-list")
        rows = page.inner_text("#inbox-list")
        assert "You were mentioned by olivia" in rows and "Assigned to you by olivia" in rows
        visit.accessible()
        page.screenshot(path=shots / f"notifications-inbox{suffix}.png", full_page=True)

        visit.open("/profile/notifications/", "#preferences")
        visit.accessible()
        page.screenshot(path=shots / f"notifications-preferences{suffix}.png", full_page=True)
        assert phone_overflow(page) <= 0
        visit.clean()
        visit.context.close()

    # The mention links to marcus on the task page (his tasks in the team's list).
    visit = Visit(browser, live_server)
    visit.sign_in("olivia")
    visit.open(f"/teams/operations/tasks/{task.number}/", "#comments")
    mention = visit.page.locator("#comments a.mention")
    assert mention.inner_text() == "@marcus"
    assert mention.get_attribute("href") == f"/teams/operations/tasks/?assignee={marcus.pk}"
    visit.clean()
