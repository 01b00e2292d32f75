"""The bell and the inbox in a real browser: the lead assigns a task to a member; after a
reload the member's bell counts one more, the inbox opens and its row leads to the task."""

from __future__ import annotations

import pytest

from portal.events.services import events_dispatch
from portal.tasks.services import task_create
from portal.teams.models import Role
from tests.browser.browsing import signed_in_page
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
