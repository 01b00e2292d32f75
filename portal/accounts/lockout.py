"""Failed sign-ins and what they stop, for every login door (admin, sign-in pages, API).

django-axes records each failure (account, client address, time) and calls the handler below
before each sign-in. The rule it applies: a person's right password is refused only because
of failures that could be theirs.

- **Account at an address**: `AXES_FAILURE_LIMIT` (10) failures for one account from one
  address lock that account from that address for `AXES_COOLOFF_TIME` (15 minutes). This is
  axes' own lock (`AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]`); a colleague
  behind the same address, or the owner elsewhere, is not affected.
- **Address**: `LOCKOUT_ADDRESS_FAILURE_LIMIT` (100) failures from one address, whatever the
  accounts, lock that address for the cool-off (one client trying many accounts). A sign-in
  that succeeds clears only its own account's failures, so it does not reset this count.
- **Account from many addresses**: once an account has `LOCKOUT_ACCOUNT_DELAY_AFTER` (10)
  failures from all addresses together, an address that failed on it must wait after its
  own last failure before trying that account again: 1 s, doubling with every further
  failure of the account, at most `LOCKOUT_ACCOUNT_DELAY_MAX_SECONDS` (the cool-off). The
  account is never locked: an address without failures on it is not slowed at all.

Failures count while they are younger than the cool-off. Attempts refused by any rule are
not failures: they neither count nor lengthen a wait.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_credentials,
    get_failure_limit,
)
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from portal.accounts.usernames import username_key
from portal.core.proxies import client_address

# Field names the login doors post: allauth ("login"), admin and API ("username", "email").
LOGIN_FIELDS = ("username", "email", "login")
LOCKOUT_KEY_LENGTH = 255  # axes' AccessAttempt.username

# What a refused person is told; {wait} is "15 minutes", "8 seconds", ...
LOCKED_ACCOUNT_AT_ADDRESS = (
    "Too many failed sign-in attempts for this account from your network. Try again in {wait}."
)
LOCKED_ADDRESS = "Too many failed sign-in attempts from your network. Try again in {wait}."
SLOWED_ACCOUNT = (
    "This account has had many failed sign-in attempts, so each new attempt after a failure "
    "must wait. Try again in {wait}."
)


def username_for_lockout(request, credentials: dict | None) -> str | None:
    """One key per account (the username rule's key), whether the person typed the username
    or the email.

    Without this, alternating "Olivia", "olivia" and "olivia@example.com" would spread the
    failures over three counters.
    """
    value = None
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for name in LOGIN_FIELDS:
            if source.get(name):
                value = source[name]
                break
        if value:
            break
    if not isinstance(value, str) or not value.strip():
        return None
    # axes stores the key in a 255-character column; PostgreSQL refuses longer text and NUL.
    value = value.replace("\x00", "").strip()[:LOCKOUT_KEY_LENGTH]
    if "@" in value:
        username = (
            get_user_model()
            .objects.filter(email__iexact=value)
            .values_list("username", flat=True)
            .first()
        )
        if username:
            value = username
    # One name under the username rule is one account, so one counter ("Olivia", full-width "olivia").
    return username_key(value)[:LOCKOUT_KEY_LENGTH]


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind TRUSTED_PROXIES.

    Only the hops added by our own proxies are trusted; anything further left was written by
    the client and could be forged to dodge the per-address lockout (portal/core/proxies.py).
    """
    meta = request.META
    return client_address(
        meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXIES
    )


def _in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Lockout:
    """Why a sign-in is refused and for how many more seconds."""

    message_template: str
    wait: int

    @property
    def message(self) -> str:
        return self.message_template.format(wait=_in_words(self.wait))


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with the address and account rules added (see the module)."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return settings.AXES_LOCK_OUT_AT_FAILURE and self.lockout(request, credentials) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        # axes locked the account at this address itself if this failure was its tenth; the
        # failure that brings the address to its limit is answered with the lock as well.
        if self._address_lock(request, request.axes_ip_address) is not None:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def lockout(self, request, credentials: dict | None = None) -> Lockout | None:
        """The rule that refuses this sign-in now, if any (checked in the module's order)."""
        if self.is_whitelisted(request, credentials):
            return None
        address = request.axes_ip_address
        username = get_client_username(request, credentials)
        return (
            self._account_at_address_lock(request, credentials, username, address)
            or self._address_lock(request, address)
            or self._account_slowdown(request, username, address)
        )

    # --- the three rules ------------------------------------------------------------------------
    def _account_at_address_lock(self, request, credentials, username, address):
        # The records axes' own lock counts (AXES_LOCKOUT_PARAMETERS is this pair).
        rows = self._recent(request).filter(username=username, ip_address=address)
        wait = self._until_below(request, rows, get_failure_limit(request, credentials))
        return Lockout(LOCKED_ACCOUNT_AT_ADDRESS, wait) if wait else None

    def _address_lock(self, request, address):
        rows = self._recent(request).filter(ip_address=address)
        wait = self._until_below(request, rows, settings.LOCKOUT_ADDRESS_FAILURE_LIMIT)
        return Lockout(LOCKED_ADDRESS, wait) if wait else None

    def _account_slowdown(self, request, username, address):
        if not username:
            return None
        account = self._recent(request).filter(username=username)
        totals = account.aggregate(failures=Sum("failures_since_start"))
        failures = totals["failures"] or 0
        if failures < settings.LOCKOUT_ACCOUNT_DELAY_AFTER:
            return None
        last = account.filter(ip_address=address).aggregate(last=Max("attempt_time"))["last"]
        if last is None:
            return None  # this address never failed on the account: never slowed
        steps = failures - settings.LOCKOUT_ACCOUNT_DELAY_AFTER
        # 2 ** steps, without computing huge powers for accounts under long attacks.
        delay = min(2 ** min(steps, 32), settings.LOCKOUT_ACCOUNT_DELAY_MAX_SECONDS)
        wait = self._seconds_until(request, last, delay)
        return Lockout(SLOWED_ACCOUNT, wait) if wait else None

    # --- counting -------------------------------------------------------------------------------
    def _recent(self, request):
        """Attempt records whose failures still count (younger than the cool-off)."""
        threshold = self._now(request) - get_cool_off(request)
        return AccessAttempt.objects.filter(attempt_time__gte=threshold)

    def _until_below(self, request, rows, limit: int) -> int:
        """Seconds until the failures in `rows` drop below `limit` as records expire (0: now)."""
        records = list(
            rows.order_by("attempt_time").values_list("attempt_time", "failures_since_start")
        )
        remaining = sum(failures for _, failures in records)
        if remaining < limit:
            return 0
        cool_off = get_cool_off(request).total_seconds()
        for attempt_time, failures in records:
            remaining -= failures
            if remaining < limit:
                return self._seconds_until(request, attempt_time, cool_off)
        return 0  # not reached: the loop empties `remaining`

    def _seconds_until(self, request, since: datetime, seconds: float) -> int:
        left = seconds - (self._now(request) - since).total_seconds()
        return max(0, math.ceil(left))

    @staticmethod
    def _now(request) -> datetime:
        return getattr(request, "axes_attempt_time", None) or timezone.now()


def failures_clear(request, user) -> None:
    """Clear `user`'s failures at this address after a sign-in that opened no session.

    django-axes does this on Django's `user_logged_in` signal, which only a session login
    sends; the API login opens none, so it calls this instead.
    """
    if settings.AXES_RESET_ON_SUCCESS:
        AxesProxyHandler.update_request(request)
        handler = AxesProxyHandler.get_implementation()
        handler.reset_user_attempts(request, get_credentials(user.get_username()))


def lockout_for(request, credentials: dict | None = None) -> Lockout:
    """Why `request` was refused (for the answer), as the configured handler sees it now."""
    handler = AxesProxyHandler.get_implementation()
    AxesProxyHandler.update_request(request)
    lockout = handler.lockout(request, credentials) if hasattr(handler, "lockout") else None
    if lockout is None:  # only if the records changed in between: say the usual
        wait = int(get_cool_off(request).total_seconds())
        lockout = Lockout(LOCKED_ACCOUNT_AT_ADDRESS, wait)
    return lockout


def lockout_response(request, original_response=None, credentials=None):
    """The page doors' lockout answer (AXES_LOCKOUT_CALLABLE): 429, the reason, Retry-After."""
    lockout = lockout_for(request, credentials)
    response = render(
        request,
        "account/lockout.html",
        {"lockout_message": lockout.message, "lockout_wait": lockout.wait},
        status=429,
    )
    response["Retry-After"] = str(lockout.wait)
    return response
