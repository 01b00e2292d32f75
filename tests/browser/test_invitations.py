"""olivia (a lead of the demo) invites a new person, who sets up an account from the emailed
link and lands on the team's board; the pages pass axe-core at desktop and phone widths."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from portal.accounts.models import User
from portal.teams.models import Membership, Role
from tests.browser.test_team_pages import DESKTOP, PHONE, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Quiet-Harbour-81!"


def test_olivia_invites_a_new_person_who_joins_and_lands_on_the_board(
    browser, live_server, shots, settings, tmp_path
):
    settings.SHARED_DIR = tmp_path / "shared"
    call_command("demo", verbosity=0)
    lead = Visit(browser, live_server)
    page = lead.page
    lead.sign_in("olivia")
    lead.open("/teams/operations/people/", "#invite-form")
    page.fill("#invite-email", "nina.park@example.com")
    page.select_option("#invite-role", "member")
    page.click("#send-invitation")
    page.wait_for_selector('[data-invitation="nina.park@example.com"]')
    assert "Invitation sent to nina.park@example.com." in page.inner_text("main")
    lead.accessible()
    page.screenshot(path=shots / "team-people-invite.png", full_page=True)
    lead.no_sideways_scroll()
    lead.clean()

    phone = Visit(browser, live_server, viewport=PHONE)
    phone.sign_in("olivia")
    phone.open("/teams/operations/people/", "#invite-form")
    phone.no_sideways_scroll()
    phone.accessible()
    phone.page.screenshot(path=shots / "team-people-invite-phone.png", full_page=True)
    phone.clean()

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    newcomer = Visit(browser, live_server, viewport=DESKTOP)
    newcomer.open(f"/{path}", "#join-form")
    newcomer.accessible()
    newcomer.page.fill("#id_first_name", "Nina")
    newcomer.page.fill("#id_last_name", "Park")
    newcomer.page.fill("#id_username", "nina")
    newcomer.page.fill("#id_password", NEW_PASSWORD)
    newcomer.page.fill("#id_password_again", NEW_PASSWORD)
    newcomer.page.screenshot(path=shots / "team-invitation-join.png", full_page=True)
    newcomer.page.click("#join-team")
    newcomer.page.wait_for_selector("#board")
    assert newcomer.page.url == f"{newcomer.base}/teams/operations/"
    assert "Welcome to Operations" in newcomer.page.inner_text("main")
    nina = User.objects.get(username="nina")
    assert Membership.objects.get(user=nina, team__slug="operations").role == Role.MEMBER
    newcomer.clean()

    # The link has been used: opening it again says so.
    again = Visit(browser, live_server, viewport=PHONE)
    response = again.page.goto(link.replace(link.split("/invitations/")[0], again.base))
    assert response.status == 410
    assert "already been used" in again.page.inner_text("#invitation-problem")
    again.no_sideways_scroll()
