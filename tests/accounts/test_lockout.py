"""Sign-in lockout fairness at every door: a person's right password is refused only because
of failures that could be theirs.

- (account, address): 10 failures lock that account from that address for 15 minutes;
- address: 100 failures across accounts lock that address (password spraying);
- account: failures from many addresses slow the account down (each address waits after
  its own failure, longer as the account's failures grow); they never lock it.
"""

import time
import uuid

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from portal.accounts.lockout import LOCKED_ACCOUNT_AT_ADDRESS, LOCKED_ADDRESS, SLOWED_ACCOUNT
from portal.core.proxies import parse_trusted_proxies
from tests.factories import PASSWORD, UserFactory

OFFICE = "203.0.113.10"  # one NAT address for a whole office
HOME = "198.51.100.7"
ATTACKERS = [f"192.0.2.{n}" for n in range(1, 40)]  # a botnet
WRONG = "not-the-password"

# door -> (login address, name of the login field, status of a successful sign-in)
DOORS = {
    "api": ("/api/auth/login/", "username", 200),
    "accounts": ("/accounts/login/", "login", 302),
    "admin": ("/admin/login/", "username", 302),
}


@pytest.fixture(autouse=True)
def _fresh_rate_counters(monkeypatch):
    # The API door's per-address throttle counts in a store of this test's own.
    monkeypatch.setattr(SimpleRateThrottle, "cache", LocMemCache(f"t-{uuid.uuid4()}", {}))


@pytest.fixture
def olivia(db):
    return UserFactory(username="olivia", email="olivia@example.com", is_staff=True)


@pytest.fixture
def marcus(db):
    return UserFactory(username="marcus", email="marcus@example.com", is_staff=True)


def sign_in(door, address, login, password=PASSWORD):
    path, field, _ = DOORS[door]
    # The API takes JSON bodies only; the pages take forms.
    content_type = {"content_type": "application/json"} if door == "api" else {}
    return Client(REMOTE_ADDR=address).post(
        path, {field: login, "password": password}, **content_type
    )


def signed_in(door, response) -> bool:
    return response.status_code == DOORS[door][2]


_STARTED = {"at": 0.0}


@pytest.fixture(autouse=True)
def _test_started():
    _STARTED["at"] = time.monotonic()


def refused(response, message, wait):
    """A lockout answer (429) with its reason and how long to wait, in words and in seconds.

    The wait counts from the first failure of the window, so it may be shorter by the time the
    test has run so far (seconds on a busy machine), never longer.
    """
    assert response.status_code == 429, response.status_code
    assert message.format(wait=wait[0]) in response.content.decode()
    elapsed = time.monotonic() - _STARTED["at"]
    assert wait[1] - elapsed - 2 <= int(response["Retry-After"]) <= wait[1] + 2
    return True


def fail(address, login, times=1):
    """Failed sign-ins as every door makes them: authenticate() with the request."""
    for _ in range(times):
        request = RequestFactory().post("/", REMOTE_ADDR=address)
        assert authenticate(request, username=login, password=WRONG) is None
        # Counted as a failure, not refused by a lockout.
        assert request.axes_failures_since_start is not None


def later(**delta):
    return time_machine.travel(timezone.now() + timezone.timedelta(**delta))


# --- the (account, address) pair ----------------------------------------------------------------
@pytest.mark.parametrize("door", DOORS)
def test_ten_failures_lock_the_account_at_that_address_only(door, olivia, marcus):
    answers = [sign_in(door, OFFICE, "olivia", WRONG) for _ in range(10)]
    assert [signed_in(door, a) for a in answers] == [False] * 10
    assert all(a.status_code != 429 for a in answers[:9])
    assert refused(answers[9], LOCKED_ACCOUNT_AT_ADDRESS, ("15 minutes", 900))
    # Even the right password is refused for that account from that address...
    assert refused(sign_in(door, OFFICE, "olivia"), LOCKED_ACCOUNT_AT_ADDRESS, ("15 minutes", 900))
    # ...but a colleague behind the same address signs in,
    assert signed_in(door, sign_in(door, OFFICE, "marcus"))
    # and so does the account's owner from another address, at once.
    assert signed_in(door, sign_in(door, HOME, "olivia"))
    with later(minutes=16):
        assert signed_in(door, sign_in(door, OFFICE, "olivia"))


@pytest.mark.parametrize("door", DOORS)
def test_signing_in_clears_that_accounts_failures_at_that_address(door, olivia):
    fail(OFFICE, "olivia", 8)
    fail(HOME, "olivia", 1)
    assert signed_in(door, sign_in(door, OFFICE, "olivia"))
    fail(OFFICE, "olivia", 8)  # 8 again, not 16
    assert signed_in(door, sign_in(door, OFFICE, "olivia"))
    # Failures elsewhere were not the ones cleared.
    assert AccessAttempt.objects.get(ip_address=HOME).failures_since_start == 1


def test_the_pair_lock_counts_failures_at_every_door_and_by_email_too(olivia):
    for door in DOORS:
        sign_in(door, OFFICE, "olivia", WRONG)
        sign_in(door, OFFICE, "OLIVIA@example.com", WRONG)
    fail(OFFICE, "Olivia", 3)
    assert sign_in("api", OFFICE, "olivia", WRONG).status_code == 429


# --- the account, attacked from many addresses ---------------------------------------------------
@pytest.mark.parametrize("door", DOORS)
def test_an_account_attacked_from_many_addresses_is_slowed_not_locked(door, olivia, marcus):
    for address in ATTACKERS[:12]:
        fail(address, "olivia")  # 12 failures, one from each address
    # The owner at a clean address is not slowed at all...
    assert signed_in(door, sign_in(door, HOME, "olivia"))
    # ...nor is anyone else at an attacking address.
    assert signed_in(door, sign_in(door, ATTACKERS[0], "marcus"))
    # An address that failed on the account waits after each failure: 2^(13 - 10) s.
    assert not signed_in(door, sign_in(door, OFFICE, "olivia", WRONG))  # failure 13
    assert refused(sign_in(door, OFFICE, "olivia"), SLOWED_ACCOUNT, ("8 seconds", 8))
    with later(seconds=9):
        assert signed_in(door, sign_in(door, OFFICE, "olivia"))


def test_the_wait_grows_with_the_accounts_failures_up_to_the_cool_off(olivia, settings):
    fail(ATTACKERS[0], "olivia", 9)
    fail(ATTACKERS[1], "olivia", 1)  # 10 failures: the next wait is 1 s
    assert refused(sign_in("api", ATTACKERS[1], "olivia"), SLOWED_ACCOUNT, ("1 second", 1))
    with later(seconds=2):
        fail(ATTACKERS[1], "olivia", 1)  # 11: 2 s
        assert refused(sign_in("api", ATTACKERS[1], "olivia"), SLOWED_ACCOUNT, ("2 seconds", 2))
    for address in ATTACKERS[2:11]:
        fail(address, "olivia")  # 20 failures: 2^10 s, capped at the cool-off
    last = ATTACKERS[10]
    assert refused(sign_in("api", last, "olivia"), SLOWED_ACCOUNT, ("15 minutes", 900))
    settings.LOCKOUT_ACCOUNT_DELAY_MAX_SECONDS = 120
    assert refused(sign_in("api", last, "olivia"), SLOWED_ACCOUNT, ("2 minutes", 120))
    # Refused attempts are not failures: they neither count nor lengthen the wait.
    assert refused(sign_in("api", last, "olivia", WRONG), SLOWED_ACCOUNT, ("2 minutes", 120))
    # An address that has not failed on the account is not slowed, even now.
    assert signed_in("api", sign_in("api", HOME, "olivia"))


# --- one address spraying many accounts ----------------------------------------------------------
def test_an_address_trying_many_accounts_is_locked_at_the_higher_limit(olivia, marcus):
    for n in range(99):
        fail(OFFICE, f"guess{n}")
    # 99 failures, each for another account: the people of the office still sign in.
    assert signed_in("api", sign_in("api", OFFICE, "marcus"))
    fail(OFFICE, "guess99")
    for door in DOORS:
        assert refused(sign_in(door, OFFICE, "olivia"), LOCKED_ADDRESS, ("15 minutes", 900))
    # Other addresses are not affected.
    assert signed_in("api", sign_in("api", HOME, "olivia"))
    with later(minutes=16):
        assert signed_in("api", sign_in("api", OFFICE, "olivia"))


def test_signing_in_to_an_own_account_does_not_clear_the_address_count(olivia, marcus):
    fail(OFFICE, "marcus", 5)
    for n in range(94):
        fail(OFFICE, f"guess{n}")
    # A successful sign-in clears only that account's failures at that address...
    assert signed_in("api", sign_in("api", OFFICE, "marcus"))
    fail(OFFICE, "guess94", 6)
    # ...so the other 100 still count.
    assert refused(sign_in("api", OFFICE, "olivia"), LOCKED_ADDRESS, ("15 minutes", 900))


def test_the_sign_in_page_counts_each_client_behind_the_proxy_on_its_own(olivia, settings):
    """allauth's per-address limit (30 sign-ins a minute) reads the same address as the lockout.

    Behind a proxy every request comes from the proxy's address; counted by that, the 31st
    person signing in within a minute would be refused (the positive control below).
    """
    proxy = "10.0.0.1"
    settings.TRUSTED_PROXIES = parse_trusted_proxies(proxy)
    run = uuid.uuid4().int
    clients = [f"100.{(run >> 8) % 250}.{n // 250}.{n % 250}" for n in range(31)]

    def through_proxy(forwarded):
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded).post(
            DOORS["accounts"][0], {"login": "olivia", "password": PASSWORD}
        )

    assert [through_proxy(address).status_code for address in clients] == [302] * 31
    one_client = [through_proxy(clients[0]).status_code for _ in range(31)]
    assert 429 in one_client
