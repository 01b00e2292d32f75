"""Sign-in pages (allauth), their look, and brute-force protection on the page doors."""

import os

import pytest
from django.test import RequestFactory, override_settings
from django.test.client import MULTIPART_CONTENT

from portal.accounts.lockout import LOCKED_ACCOUNT_AT_ADDRESS, client_ip, username_for_lockout
from portal.accounts.models import User
from portal.core.proxies import parse_trusted_proxies
from tests.factories import PASSWORD, UserFactory

# Sign-up is closed by default; these tests are about the sign-up doors themselves.
SIGNUP_OPEN = override_settings(ACCOUNT_ALLOW_SIGNUP=True)


@pytest.fixture
def olivia(db):
    return UserFactory(username="olivia", email="olivia@example.com", is_staff=True)


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
@SIGNUP_OPEN
def test_pages_use_the_admin_look_without_external_assets(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/unfold/css/styles.css" in html
    assert "portal-auth" in html
    assert "https://" not in html


@pytest.mark.parametrize("login", ["olivia", "OLIVIA@example.com"])
def test_login_by_username_or_email_opens_the_team_pages(client, olivia, login):
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD}, follow=True)
    # Through the front door, which sends a member to their teams.
    assert [url for url, _ in response.redirect_chain] == ["/", "/teams/"]


@SIGNUP_OPEN
def test_signup_creates_an_account_with_the_shared_password_rules(client, db):
    weak = client.post(
        "/accounts/signup/",
        {
            "username": "nina",
            "email": "nina@example.com",
            "password1": "nina-lake",
            "password2": "nina-lake",
        },
    )
    assert weak.status_code == 200
    assert b"upper-case" in weak.content
    ok = client.post(
        "/accounts/signup/",
        {
            "username": "nina",
            "email": "Nina@Example.com",
            "password1": "Quiet-Lake-42!",
            "password2": "Quiet-Lake-42!",
        },
    )
    assert ok.status_code == 302
    assert User.objects.get(username="nina").email == "nina@example.com"


@override_settings(ACCOUNT_ALLOW_SIGNUP=False)
def test_signup_can_be_turned_off(client, db):
    response = client.get("/accounts/signup/")
    assert b"Sign Up Closed" in response.content


@override_settings(AXES_FAILURE_LIMIT=3)
@pytest.mark.parametrize(
    ("path", "field"), [("/accounts/login/", "login"), ("/admin/login/", "username")]
)
def test_page_doors_refuse_with_429_after_repeated_failures(client, olivia, path, field):
    for _ in range(2):
        assert client.post(path, {field: "olivia", "password": "x"}).status_code == 200
    locked = client.post(path, {field: "olivia", "password": "x"})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert LOCKED_ACCOUNT_AT_ADDRESS.format(wait="15 minutes").encode() in locked.content
    assert locked["Retry-After"] == "900"
    assert client.post(path, {field: "olivia", "password": PASSWORD}).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_failures_on_one_door_count_on_the_others(client, olivia):
    client.post("/accounts/login/", {"login": "olivia", "password": "x"})
    client.post("/admin/login/", {"username": "olivia", "password": "x"})
    api = client.post(
        "/api/auth/login/", {"username": "olivia", "password": "x"}, "application/json"
    )
    assert api.status_code == 429


def test_email_and_username_give_one_lockout_key(olivia):
    request = RequestFactory().post("/")
    assert username_for_lockout(request, {"username": "Olivia"}) == "olivia"
    assert username_for_lockout(request, {"email": "OLIVIA@example.com"}) == "olivia"
    assert (
        username_for_lockout(RequestFactory().post("/", {"login": "olivia@example.com"}), None)
        == "olivia"
    )
    assert username_for_lockout(request, {"username": "ghost@example.com"}) == "ghost@example.com"
    assert username_for_lockout(request, {}) is None


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/accounts/login/", "login"),
        ("/admin/login/", "username"),
        ("/api/auth/login/", "username"),
    ],
)
def test_a_name_too_long_to_be_anyone_still_counts_as_a_failure(client, db, path, field):
    from axes.models import AccessAttempt

    # The API takes JSON bodies only; the pages take forms.
    content_type = "application/json" if path.startswith("/api/") else MULTIPART_CONTENT
    response = client.post(path, {field: "X" * 300, "password": "Wrong-pass-2026!"}, content_type)
    assert response.status_code in (200, 400)
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["x" * 255]
    request = RequestFactory().post("/")
    assert username_for_lockout(request, {"username": "Oli\x00via"}) == "olivia"


def test_client_address_trusts_only_our_own_proxies(settings):
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1"
    )
    settings.TRUSTED_PROXIES = ()
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.1")
    assert client_ip(request) == "203.0.113.7"


def test_emails_are_stored_lower_case(db):
    user = User.objects.create_user("ann", "Ann@Example.COM", PASSWORD)
    assert user.email == "ann@example.com"
    user.email = "Bob@Example.com"
    user.full_clean()
    assert user.email == "bob@example.com"


def test_changing_the_password_on_the_account_page_revokes_api_refresh_tokens(client, olivia):
    from rest_framework_simplejwt.tokens import RefreshToken

    refresh = str(RefreshToken.for_user(olivia))
    client.force_login(olivia)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "Brand-new-pass-7!",
            "password2": "Brand-new-pass-7!",
        },
    )
    assert response.status_code == 302
    api = client.post("/api/auth/token/refresh/", {"refresh": refresh}, "application/json")
    assert api.status_code == 401


def test_signup_is_closed_unless_the_operator_opens_it(client, db):
    from portal.settings import accounts

    assert accounts.ACCOUNT_ALLOW_SIGNUP is False or "ACCOUNT_ALLOW_SIGNUP" in os.environ
    html = client.get("/accounts/login/").content.decode()
    assert "signup-link" not in html


def test_the_email_page_shows_the_address_the_administrator_gave_as_verified(client, olivia):
    from allauth.account.models import EmailAddress

    client.force_login(olivia)
    html = client.get("/accounts/email/").content.decode()
    address = EmailAddress.objects.get(user=olivia)
    assert (address.email, address.verified, address.primary) == (olivia.email, True, True)
    assert "Verified" in html and "Unverified" not in html
    # Buttons and headings in sentence case, as elsewhere in the portal.
    for words in ("Email addresses", "Make primary", "Re-send verification", "Add email"):
        assert words in html
    for words in ("Make Primary", "Re-send Verification", "Add Email", "Email Addresses"):
        assert words not in html


def test_an_address_the_person_adds_stays_unverified_until_confirmed(client, olivia):
    from allauth.account.models import EmailAddress

    client.force_login(olivia)
    client.get("/accounts/email/")
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "olivia.home@example.com"}
    )
    assert response.status_code in (200, 302)
    added = EmailAddress.objects.filter(email="olivia.home@example.com").first()
    assert added is None or not added.verified
    client.get("/accounts/email/")
    assert EmailAddress.objects.get(user=olivia, email=olivia.email).primary


def test_an_address_changed_by_the_administrator_becomes_the_verified_primary(client, olivia):
    from allauth.account.models import EmailAddress

    client.force_login(olivia)
    client.get("/accounts/email/")
    User.objects.filter(pk=olivia.pk).update(email="olivia@new.example.com")
    client.get("/accounts/email/")
    rows = {a.email: (a.verified, a.primary) for a in EmailAddress.objects.filter(user=olivia)}
    assert rows == {"olivia@example.com": (True, False), "olivia@new.example.com": (True, True)}
