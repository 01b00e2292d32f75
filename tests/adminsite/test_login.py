"""The admin's sign-in page is no dead end and looks like the one under /accounts/; the user
menu links the account pages."""

import re

from django.test import override_settings
from django.urls import reverse

# Sign-up is closed by default; these tests are about the sign-up doors themselves.
SIGNUP_OPEN = override_settings(ACCOUNT_ALLOW_SIGNUP=True)

LOGIN = reverse("admin:login")


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]*)"', html))


@SIGNUP_OPEN
def test_login_page_links_password_reset_and_sign_up_not_the_site_root(client, db):
    html = client.get(LOGIN).content.decode()
    found = links(html)
    assert reverse("account_reset_password") in found
    assert reverse("account_signup") in found
    # "/" redirects back to the admin: a "Return to site" link there went round in a circle
    assert "/" not in found and "Return to site" not in html


@override_settings(ACCOUNT_ALLOW_SIGNUP=False)
def test_no_sign_up_link_while_sign_up_is_closed(client, db):
    html = client.get(LOGIN).content.decode()
    assert reverse("account_signup") not in links(html)
    assert reverse("account_reset_password") in links(html)


def test_both_sign_in_pages_share_one_layout_and_wording(client, db):
    pages = [client.get(path).content.decode() for path in (LOGIN, reverse("account_login"))]
    for html in pages:
        assert 'class="w-full sm:w-96 portal-auth"' in html  # account/base_entrance.html
        assert re.search(r"<h1>\s*Sign In\s*</h1>", html)
        assert 'placeholder="Username or email"' in html
        assert "Forgot your password?" in html


def test_admin_sign_in_still_takes_a_username_or_an_email(client, member):
    member.set_password("Sunny-Harbour-2026!")
    member.save()
    for login in (member.username, member.email):
        client.logout()
        response = client.post(
            LOGIN, {"username": login, "password": "Sunny-Harbour-2026!", "next": "/admin/"}
        )
        assert response.status_code == 302 and response["Location"] == "/admin/"


def test_user_menu_links_the_account_pages(client, member):
    client.force_login(member)
    html = client.get(reverse("admin:index")).content.decode()
    found = links(html)
    assert {reverse("account_email"), reverse("account_change_password")} <= found
    assert "/" not in found and "View site" not in html
