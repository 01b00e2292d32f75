"""The one-click unsubscribe page, opened from an email without signing in, in a real
browser: it wears the portal's look (its colours and style sheet, as every team page), asks
first, then says what stopped; it passes axe-core and logs no console error or CSP violation."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from portal.accounts.models import User
from portal.notifications.services import unsubscribe_token
from tests.browser.test_team_pages import PHONE, Visit, demo  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _primary(page) -> str:
    return page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--color-primary-600')"
    ).strip()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_marcus_unsubscribes_from_an_email_link_in_the_portals_look(
    browser,
    live_server,
    demo,  # noqa: F811
    shots,
    viewport,
):
    marcus = User.objects.get(username="marcus")
    path = reverse("pages:unsubscribe", args=[unsubscribe_token(marcus.pk, ["assigned"])])
    visit = Visit(browser, live_server, **({"viewport": PHONE} if viewport == "phone" else {}))
    page = visit.page

    visit.open(path, "#confirm-unsubscribe")
    assert _primary(page) == django_settings.UNFOLD["COLORS"]["primary"]["600"]
    assert page.locator("link[href*='portal/admin']").count() >= 1  # the portal's style sheet
    visit.no_sideways_scroll()
    visit.accessible()
    page.screenshot(path=str(shots / f"unsubscribe-{viewport}.png"), full_page=True)

    page.click("#confirm-unsubscribe")
    page.wait_for_selector("#unsubscribed")
    assert "no more emails" in page.inner_text("#unsubscribed")
    assert _primary(page) == django_settings.UNFOLD["COLORS"]["primary"]["600"]
    visit.accessible()
    visit.clean()
