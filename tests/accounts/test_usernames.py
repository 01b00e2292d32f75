"""The one username rule at every door: look-alike names are one name, no "@" in usernames."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings

from portal.accounts import services
from portal.accounts.checks import check_usernames
from portal.accounts.lockout import username_for_lockout
from portal.accounts.models import User
from portal.accounts.resources import UserResource
from portal.accounts.usernames import (
    USERNAME_HAS_AT,
    USERNAME_TAKEN,
    lookalike_groups,
    username_key,
)
from tests.accounts.username_cases import DOTTED_I, LONG_S, LOOKALIKES, wide
from tests.factories import PASSWORD, UserFactory
from tests.sheets import import_rows, problems

# Sign-up is closed by default; these tests are about the sign-up doors themselves.
SIGNUP_OPEN = override_settings(ACCOUNT_ALLOW_SIGNUP=True)

STRONG = "Quiet-Lake-42!"


def test_lookalikes_share_one_key_and_different_names_do_not():
    for taken, lookalike in LOOKALIKES:
        assert username_key(lookalike) == username_key(taken), lookalike
    assert username_key("olivia") != username_key("olivier")
    assert username_key("j\u0307ane") == username_key("jane")


@pytest.mark.parametrize(("taken", "lookalike"), LOOKALIKES)
def test_the_services_refuse_a_lookalike_of_a_taken_name(superuser, taken, lookalike):
    UserFactory(username=taken)
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=superuser, username=lookalike)
    assert caught.value.message_dict == {"username": [USERNAME_TAKEN]}


def test_a_rename_into_a_lookalike_is_refused_but_a_change_of_case_of_ones_own_is_not(superuser):
    UserFactory(username="sara")
    tom = UserFactory(username="tom")
    with pytest.raises(ValidationError) as caught:
        services.user_update(actor=superuser, user=tom, username=f"{LONG_S}ara")
    assert caught.value.message_dict == {"username": [USERNAME_TAKEN]}
    services.user_update(actor=superuser, user=tom, username=wide("Tom"))
    tom.refresh_from_db()
    assert tom.username == "Tom"  # stored NFKC-normalised, case as typed


def test_usernames_may_not_contain_an_at(superuser):
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=superuser, username="olivia@example.com")
    assert caught.value.message_dict == {"username": [USERNAME_HAS_AT]}
    with pytest.raises(ValidationError):
        services.user_create(actor=superuser, username="olivia\uff20example.com")


def _signup_page(client, username, email="new@example.com"):
    return client.post(
        "/accounts/signup/",
        {"username": username, "email": email, "password1": STRONG, "password2": STRONG},
    )


@pytest.mark.parametrize(("taken", "lookalike"), LOOKALIKES)
@SIGNUP_OPEN
def test_the_sign_up_page_refuses_a_lookalike(client, db, taken, lookalike):
    UserFactory(username=taken)
    response = _signup_page(client, lookalike)
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [USERNAME_TAKEN]
    assert User.objects.count() == 1


@SIGNUP_OPEN
def test_the_sign_up_page_refuses_an_at_and_stores_the_normal_form(client, db):
    response = _signup_page(client, "olivia@example.com")
    assert response.context["form"].errors["username"] == [USERNAME_HAS_AT]
    assert _signup_page(client, wide("Nina")).status_code == 302
    assert User.objects.get().username == "Nina"


def test_the_admin_add_form_refuses_a_lookalike(client, superuser):
    UserFactory(username="sara")
    client.force_login(superuser)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": f"{LONG_S}ara",
            "password1": STRONG,
            "password2": STRONG,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert USERNAME_TAKEN in response.context["adminform"].form.errors["username"]
    assert not User.objects.filter(username=f"{LONG_S}ara").exists()


def test_an_import_row_names_a_person_by_any_form_of_their_name(superuser, member):
    rows = [["username", "last_name"], [wide("MEMBER"), "Smith"]]
    result = import_rows(UserResource(), superuser, rows)
    assert result.counts()["updated"] == 1
    member.refresh_from_db()
    assert member.last_name == "Smith"
    rows = [["username", "last_name"], ["x@example.com", "New"], [f"MEMBER{DOTTED_I}", "X"]]
    result = import_rows(UserResource(), superuser, rows)
    assert problems(result) == [(2, "username", USERNAME_HAS_AT)]


def test_createsuperuser_refuses_a_lookalike(db, monkeypatch):
    UserFactory(username="olivia")
    monkeypatch.setitem(os.environ, "DJANGO_SUPERUSER_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="already taken"):
        call_command(
            "createsuperuser",
            interactive=False,
            username=f"OL{DOTTED_I}V{DOTTED_I}A",
            email="root@example.com",
            stdout=io.StringIO(),
        )
    assert User.objects.count() == 1


def test_the_system_check_names_lookalikes_and_names_with_an_at(db):
    # Rows from before the rule (written without it, as an old database holds them).
    User.objects.bulk_create(
        [User(username="sara"), User(username=f"{LONG_S}ara"), User(username="x@example.com")]
    )
    UserFactory(username="olivia")
    assert lookalike_groups() == [["sara", f"{LONG_S}ara"]]
    found = {(w.id, w.msg) for w in check_usernames(databases=["default"])}
    assert (
        "accounts.W001",
        f"Usernames 'sara', '{LONG_S}ara' are one name under the username rule.",
    ) in found
    assert any(i == "accounts.W002" and "'x@example.com'" in m for i, m in found)
    assert len(found) == 3  # the long s is also not in its normal form
    err = io.StringIO()
    call_command("check", "--database", "default", stderr=err, stdout=io.StringIO())
    assert "accounts.W001" in err.getvalue()


def test_legacy_lookalikes_sign_in_only_by_their_exact_name(client, db):
    User.objects.bulk_create([User(username="sara"), User(username=f"{LONG_S}ara")])
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    assert client.login(username=f"{LONG_S}ara", password=PASSWORD)
    assert not client.login(username="SARA", password=PASSWORD)


def test_a_lookalike_login_signs_in_the_one_person_of_that_name(client, db):
    UserFactory(username="olivia", email="olivia@example.com")
    for login in (wide("olivia"), f"OL{DOTTED_I}V{DOTTED_I}A"):
        response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
        assert response.status_code == 302, login
        client.logout()


def test_lookalike_logins_count_against_one_lockout_key(rf):
    request = rf.post("/")
    assert username_for_lockout(request, {"username": wide("Olivia")}) == "olivia"
    assert username_for_lockout(request, {"username": f"OL{DOTTED_I}V{DOTTED_I}A"}) == "olivia"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every write")
@pytest.mark.django_db(transaction=True)
@SIGNUP_OPEN
# allauth's per-address sign-up limit counts in the shared cache: other tests' sign-ups from
# 127.0.0.1 in the same minute must not turn this race into 429s.
@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": False, "signup": False})
def test_lookalike_sign_ups_on_the_page_at_the_same_moment_make_one_account():
    from tests.hostile.test_races import RACERS, race

    names = ["irina", "IRINA", "Irina", wide("irina"), wide("IRINA"), "iRiNa", "IRIna"]
    names += [f"{DOTTED_I}RINA", f"{DOTTED_I}R{DOTTED_I}NA", f"ir{DOTTED_I}na"]
    clients = [Client() for _ in range(RACERS)]
    results = race(lambda i: _signup_page(clients[i], names[i], f"irina{i}@example.com"))

    statuses = sorted(r.status_code for r in results if hasattr(r, "status_code"))
    assert statuses == [200] * (RACERS - 1) + [302], [
        r if not hasattr(r, "status_code") else r.status_code for r in results
    ]
    for response in results:
        if response.status_code == 200:
            assert response.context["form"].errors["username"] == [USERNAME_TAKEN]
    assert len([u for u in User.objects.all() if username_key(u.username) == "irina"]) == 1


def test_the_username_check_needs_a_database_and_is_silent_without_one():
    """`check` on a build machine (no database) must not fail or touch one."""
    assert check_usernames() == []
