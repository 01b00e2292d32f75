"""The account pages as a person sees them, in a real browser."""

import pytest
from django.core.management import call_command

from tests.browser.browsing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_remove_on_the_email_page_does_not_look_like_make_primary(browser, live_server, shots):
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, "marcus")
    page.goto(f"{live_server.url}/accounts/email/")

    def look(name: str) -> tuple[str, str]:
        return page.eval_on_selector(
            f'button[name="{name}"]',
            "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]",
        )

    assert look("action_remove") != look("action_primary")
    assert look("action_remove")[1] == "rgb(185, 28, 28)"  # red text: a destructive action
    page.screenshot(path=str(shots / "account-email.png"), full_page=True)
    assert errors == []
