"""The sign-in API: tokens, their lifecycle, password changes, registration, lockout, throttling."""

import os
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from portal.accounts import validators
from portal.accounts.lockout import LOCKED_ACCOUNT_AT_ADDRESS
from portal.accounts.models import EMAIL_TAKEN, User
from portal.accounts.usernames import USERNAME_HAS_AT, USERNAME_TAKEN, username_key
from portal.api.auth import (
    LOGGED_OUT,
    LOGOUT_BODY,
    PASSWORD_CHANGED,
    SIGNUP_CLOSED,
    TOKEN_REVOKED,
)
from tests.accounts.username_cases import DOTTED_I, LOOKALIKES, wide
from tests.factories import PASSWORD, UserFactory

# Sign-up is closed by default; these tests are about the sign-up doors themselves.
SIGNUP_OPEN = override_settings(ACCOUNT_ALLOW_SIGNUP=True)

LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/token/refresh/"
LOGOUT = "/api/auth/logout/"
VERIFY = "/api/auth/token/verify/"
NEW_PASSWORD = "Brand-new-pass-7!"


@pytest.fixture
def olivia(db):
    return UserFactory(username="olivia", email="olivia@example.com")


def login(client, **credentials):
    return client.post(LOGIN, {"password": PASSWORD, **credentials}, format="json")


def bearer(client, access):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def rates(**changes):
    return override_settings(
        REST_FRAMEWORK={
            **_rest_framework(),
            "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, **changes},
        }
    )


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK


# --- login -----------------------------------------------------------------------------------
@pytest.mark.parametrize("field,value", [("username", "olivia"), ("email", "olivia@example.com")])
def test_login_by_username_or_email_returns_both_tokens_and_the_user(anon, olivia, field, value):
    response = login(anon, **{field: value})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["access"] and body["refresh"]
    assert body["user"]["username"] == "olivia"
    # The bearer token alone authenticates a call (no session cookie is opened).
    assert "sessionid" not in response.cookies
    me = bearer(anon, body["access"]).get("/api/users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "olivia"


def test_login_sets_no_cookie_and_refresh_needs_the_token_in_the_body(anon, olivia):
    """Tokens travel in JSON bodies only: programs hold them; browsers use the session pages."""
    response = login(anon, username="olivia")
    assert response.status_code == 200
    assert dict(response.cookies) == {}
    assert "set-cookie" not in {name.lower() for name in response.headers}
    # A refresh token sent only as a cookie (however it got there) is not accepted.
    anon.cookies["portal-refresh"] = response.json()["refresh"]
    refused = anon.post(REFRESH, {}, format="json")
    assert refused.status_code == 400
    assert "access" not in refused.json()
    assert "refresh" in refused.json()


def test_checks_and_the_schema_stay_clean_without_token_cookies(db):
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")
    call_command("spectacular", "--validate", "--fail-on-warn", file=os.devnull)


def test_email_typed_in_the_username_field_also_works(anon, olivia):
    assert login(anon, username="olivia@example.com").status_code == 200


def test_wrong_password_is_400(anon, olivia):
    response = anon.post(LOGIN, {"username": "olivia", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_calls_without_credentials_get_401(anon):
    for url in ("/api/tasks/", "/api/teams/", "/api/users/me/", "/api/auth/user/"):
        assert anon.get(url).status_code == 401, url


def test_a_garbage_bearer_token_is_401(anon):
    bearer(anon, "not-a-token")
    assert anon.get("/api/tasks/").status_code == 401


def test_token_verify(anon, olivia):
    tokens = login(anon, username="olivia").json()
    assert anon.post("/api/auth/token/verify/", {"token": tokens["access"]}).status_code == 200
    assert anon.post("/api/auth/token/verify/", {"token": "x.y.z"}).status_code == 401


def test_token_verify_of_a_revoked_refresh_token_is_401_like_other_token_errors(anon, olivia):
    tokens = login(anon, username="olivia").json()
    assert anon.post(VERIFY, {"token": tokens["refresh"]}, format="json").status_code == 200
    anon.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    revoked = anon.post(VERIFY, {"token": tokens["refresh"]}, format="json")
    assert revoked.status_code == 401
    assert revoked.json() == {"detail": TOKEN_REVOKED, "code": "token_not_valid"}
    # The same answer a refresh with it gets.
    refresh = anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert (refresh.status_code, refresh.json()) == (401, revoked.json())


# --- token lifecycle -------------------------------------------------------------------------
def test_refresh_rotates_and_blacklists_the_old_refresh_token(anon, olivia):
    first = login(anon, username="olivia").json()["refresh"]
    rotated = anon.post(REFRESH, {"refresh": first}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["access"]
    second = rotated.json()["refresh"]
    assert second != first
    assert anon.post(REFRESH, {"refresh": first}, format="json").status_code == 401
    assert anon.post(REFRESH, {"refresh": second}, format="json").status_code == 200


def test_logout_blacklists_the_refresh_token(anon, olivia):
    tokens = login(anon, username="olivia").json()
    response = bearer(anon, tokens["access"]).post(
        "/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert response.status_code == 200
    assert anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_access_token_lifetime_defaults_to_15_minutes(anon, olivia):
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken(login(anon, username="olivia").json()["access"])
    assert token["exp"] - token["iat"] == 15 * 60


# --- password change and reset ---------------------------------------------------------------
def test_password_change_revokes_every_refresh_token_of_the_user(anon, client_for, olivia):
    phone = login(anon, username="olivia").json()["refresh"]
    laptop = login(anon, username="olivia").json()["refresh"]
    response = client_for(olivia).post(
        "/api/auth/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["detail"] == PASSWORD_CHANGED
    for refresh in (phone, laptop):
        assert anon.post(REFRESH, {"refresh": refresh}, format="json").status_code == 401
    assert not OutstandingToken.objects.filter(user=olivia, blacklistedtoken__isnull=True).exists()
    assert anon.post(LOGIN, {"username": "olivia", "password": NEW_PASSWORD}).status_code == 200


def test_password_change_needs_the_old_password_and_follows_the_rules(client_for, olivia):
    client = client_for(olivia)
    wrong_old = client.post(
        "/api/auth/password/change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )
    assert wrong_old.status_code == 400
    assert "old_password" in wrong_old.json()
    weak = client.post(
        "/api/auth/password/change/",
        {"old_password": PASSWORD, "new_password1": "Olivia-1234", "new_password2": "Olivia-1234"},
        format="json",
    )
    assert weak.status_code == 400
    assert validators.CONTAINS_USERNAME in weak.json()["new_password2"]


def test_password_reset_by_email_then_confirm_through_the_api(anon, olivia):
    stale = login(anon, username="olivia").json()["refresh"]
    response = anon.post("/api/auth/password/reset/", {"email": "olivia@example.com"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    link = re.search(r"/accounts/password/reset/key/(\w+)-([\w-]+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    uid, key = link.groups()
    confirm = anon.post(
        "/api/auth/password/reset/confirm/",
        {"uid": uid, "token": key, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )
    assert confirm.status_code == 200, confirm.json()
    assert anon.post(REFRESH, {"refresh": stale}, format="json").status_code == 401
    assert anon.post(LOGIN, {"username": "olivia", "password": NEW_PASSWORD}).status_code == 200


def test_password_reset_does_not_reveal_unknown_emails(anon, db):
    response = anon.post("/api/auth/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 200
    assert mail.outbox == []


# --- profile ---------------------------------------------------------------------------------
def test_user_get_and_patch_own_profile(client_for, olivia):
    client = client_for(olivia)
    response = client.patch(
        "/api/auth/user/",
        {"first_name": "Olivia", "receive_daily_summary": True, "username": "hacker"},
        format="json",
    )
    assert response.status_code == 200
    olivia.refresh_from_db()
    assert (olivia.first_name, olivia.receive_daily_summary) == ("Olivia", True)
    assert olivia.username == "olivia"
    assert client.get("/api/auth/user/").json()["first_name"] == "Olivia"


# --- registration ----------------------------------------------------------------------------
def _signup(client, username="nina", email="nina@example.com", password="Quiet-Lake-42!"):
    return client.post(
        "/api/auth/registration/",
        {"username": username, "email": email, "password1": password, "password2": password},
        format="json",
    )


@SIGNUP_OPEN
def test_registration_returns_tokens(anon, db):
    response = _signup(anon)
    assert response.status_code == 201, response.json()
    assert response.json()["access"] and response.json()["refresh"]


@SIGNUP_OPEN
def test_registration_uses_the_shared_password_rules(anon, db):
    response = _signup(anon, password="Nina-Lake-42!")
    assert response.status_code == 400
    assert validators.CONTAINS_USERNAME in response.json()["password1"]
    response = _signup(anon, password="quiet-lake-42")
    assert validators.MISSING_UPPER in response.json()["password1"]


@SIGNUP_OPEN
def test_registration_refuses_an_email_taken_in_another_case(anon, olivia):
    response = _signup(anon, email="OLIVIA@example.com")
    assert response.status_code == 400
    assert EMAIL_TAKEN in response.json()["email"]


@pytest.mark.parametrize(("taken", "lookalike"), LOOKALIKES)
@SIGNUP_OPEN
def test_registration_refuses_a_lookalike_of_a_taken_username(anon, db, taken, lookalike):
    UserFactory(username=taken)
    response = _signup(anon, username=lookalike)
    assert response.status_code == 400, response.content
    assert response.json() == {"username": [USERNAME_TAKEN]}
    assert User.objects.count() == 1


@SIGNUP_OPEN
def test_registration_refuses_an_at_and_stores_the_normal_form(anon, olivia):
    response = _signup(anon, username="olivia@example.com", email="squatter@example.com")
    assert response.status_code == 400
    assert response.json() == {"username": [USERNAME_HAS_AT]}
    assert _signup(anon, username=wide("Nina")).status_code == 201
    assert User.objects.filter(username="Nina").exists()


def test_a_login_with_an_at_names_one_account_by_its_email(anon, olivia):
    # An account from before the rule whose username is olivia's email address.
    squatter = UserFactory(username="olivia@example.com", email="squatter@example.com")
    squatter.set_password(NEW_PASSWORD)
    squatter.save()
    assert login(anon, username="olivia@example.com", password=NEW_PASSWORD).status_code == 400
    response = login(anon, username="olivia@example.com")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "olivia"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every write")
@pytest.mark.django_db(transaction=True)
@SIGNUP_OPEN
def test_lookalike_registrations_at_the_same_moment_make_one_account(anon):
    from tests.hostile.test_races import RACERS, outcome, race

    names = ["irina", "IRINA", "Irina", wide("irina"), wide("IRINA")]
    names += [f"{DOTTED_I}RINA", f"{DOTTED_I}R{DOTTED_I}NA", f"ir{DOTTED_I}na", "iRiNa", "IRIna"]
    clients = [type(anon)() for _ in range(RACERS)]
    results = race(lambda i: _signup(clients[i], names[i], f"irina{i}@example.com"))

    statuses = sorted(r.status_code for r in results if hasattr(r, "status_code"))
    assert statuses == [201] + [400] * (RACERS - 1), outcome(results)
    for response in results:
        if response.status_code == 400:
            assert response.json() == {"username": [USERNAME_TAKEN]}
    assert len([u for u in User.objects.all() if username_key(u.username) == "irina"]) == 1


@override_settings(ACCOUNT_ALLOW_SIGNUP=False)
def test_registration_is_refused_when_sign_up_is_off(anon, db):
    response = _signup(anon)
    assert response.status_code == 403
    assert response.json()["detail"] == SIGNUP_CLOSED


# --- brute force -----------------------------------------------------------------------------
@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_for_a_cool_off_period_only(anon, olivia):
    for _ in range(2):
        assert anon.post(LOGIN, {"username": "olivia", "password": "x"}).status_code == 400
    locked = anon.post(LOGIN, {"username": "Olivia", "password": "x"})
    assert locked.status_code == 429
    assert locked.json()["detail"] == LOCKED_ACCOUNT_AT_ADDRESS.format(wait="15 minutes")
    assert locked["Retry-After"] == "900"
    # Even the right password is refused while cooling off...
    assert login(anon, username="olivia").status_code == 429
    # ...and accepted again once the cool-off period (15 minutes) is over.
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert login(anon, username="olivia").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_failures_by_email_and_username_count_for_the_same_account(anon, olivia):
    anon.post(LOGIN, {"username": "olivia", "password": "x"})
    anon.post(LOGIN, {"email": "OLIVIA@example.com", "password": "x"})
    assert anon.post(LOGIN, {"username": "OLIVIA", "password": "x"}).status_code == 429
    # The lock is for this account from this address (tests/accounts/test_lockout.py).
    assert login(type(anon)(REMOTE_ADDR="10.0.0.9"), username="olivia").status_code == 200


def test_login_is_throttled_per_client(anon, olivia):
    with rates(login="3/min"):
        codes = [login(anon, username="olivia").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@SIGNUP_OPEN
def test_registration_and_password_reset_are_throttled(anon, db):
    with rates(registration="1/hour", password_reset="1/hour"):
        assert _signup(anon).status_code == 201
        assert _signup(anon, "nora", "nora@example.com").status_code == 429
        assert anon.post("/api/auth/password/reset/", {"email": "a@b.co"}).status_code == 200
        assert anon.post("/api/auth/password/reset/", {"email": "a@b.co"}).status_code == 429


def test_user_rate_applies_to_resource_calls(client_for, olivia):
    client = client_for(olivia)
    with rates(user="2/min"):
        codes = [client.get("/api/tags/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_logout_needs_a_refresh_token_object(client_for, olivia):
    client = client_for(olivia)
    wrong_shape = client.post(LOGOUT, [1, 2], format="json")
    assert wrong_shape.status_code == 400
    assert wrong_shape.json() == {"refresh": [LOGOUT_BODY]}
    assert client.post(LOGOUT, {}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"refresh": None}, 400),
        ({"refresh": ""}, 400),
        ({"refresh": "not-a-token"}, 401),
        ({"refresh": {"jti": "x"}}, 400),
    ],
)
def test_logout_without_a_valid_refresh_token_writes_nothing(anon, db, body, status):
    response = anon.post(LOGOUT, body, format="json")
    assert response.status_code == status, response.json()
    assert OutstandingToken.objects.count() == 0
    assert BlacklistedToken.objects.count() == 0


def test_logout_with_an_access_token_or_twice_is_401_and_writes_nothing_more(anon, olivia):
    tokens = login(anon, username="olivia").json()
    assert (OutstandingToken.objects.count(), BlacklistedToken.objects.count()) == (1, 0)
    wrong_type = anon.post(LOGOUT, {"refresh": tokens["access"]}, format="json")
    assert wrong_type.status_code == 401
    assert anon.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").json() == {
        "detail": LOGGED_OUT
    }
    again = anon.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"
    assert (OutstandingToken.objects.count(), BlacklistedToken.objects.count()) == (1, 1)


def test_unknown_api_addresses_answer_json_404(client_for, olivia):
    response = client_for(olivia).delete("/api/tasks/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
