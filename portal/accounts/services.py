"""Writes about people: profile changes, revoking API sessions and purging expired ones."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import FeedToken, User
from portal.accounts.permissions import is_superuser
from portal.accounts.usernames import normalize_username
from portal.core.models import save_checked

PROFILE_OTHERS = "People can only change their own profile."
DENIED_USER_ADMIN = "Only administrators can change other people's accounts."
PROFILE_FIELDS = frozenset({"first_name", "last_name", "receive_daily_summary", "time_zone"})


@transaction.atomic
def profile_update(*, actor: User, user: User, **changes: Any) -> User:
    """A person changes their own name and preferences (username and email stay as they are)."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    if actor.pk != user.pk:
        raise PermissionDenied(PROFILE_OTHERS)
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean()
    if changes:
        user.save(update_fields=sorted(changes))
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **changes: Any) -> User:
    """An administrator changes someone's account (fields of the User model).

    Deactivating a person also ends their API sessions (their refresh tokens are revoked), at
    whichever door it happens.
    """
    if not is_superuser(actor):
        raise PermissionDenied(DENIED_USER_ADMIN)
    was_active = user.is_active
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean()
    user.save()
    if was_active and not user.is_active:
        refresh_tokens_revoke(user=user)
    return user


USER_FIELDS = frozenset(
    {"username", "email", "first_name", "last_name", "is_active", "receive_daily_summary"}
)


@transaction.atomic
def user_create(*, actor: User, username: str, **fields: Any) -> User:
    """An administrator adds a person (imports). They get an unusable password and set their
    own with the password reset."""
    if not is_superuser(actor):
        raise PermissionDenied(DENIED_USER_ADMIN)
    unknown = set(fields) - USER_FIELDS
    if unknown:
        raise TypeError(f"Unknown user fields: {', '.join(sorted(unknown))}.")
    user = User(username=(username or "").strip(), **fields)
    user.set_unusable_password()
    user.full_clean()
    save_checked(user)  # a name taken at the same moment is the rule's ValidationError
    return user


def user_deactivate(*, actor: User, user: User) -> User:
    return user_update(actor=actor, user=user, is_active=False)


def refresh_tokens_revoke(*, user: User) -> int:
    """Blacklist every outstanding refresh token of `user` (after a password change or reset).

    Access tokens already handed out stay valid until they expire (minutes), as JWTs are not
    looked up on each call; refresh tokens are, so no new access token can be obtained.
    Returns how many tokens were revoked.
    """
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    pending = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token=token) for token in pending]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def tokens_purge_expired(*, now: datetime | None = None) -> tuple[int, dict[str, int]]:
    """Delete expired outstanding refresh tokens (their blacklist rows go with them).

    A system action (the daily token-flush job). Returns the number of rows deleted and the
    count per model, as `QuerySet.delete()` reports them.
    """
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    now = now or timezone.now()
    return OutstandingToken.objects.filter(expires_at__lte=now).delete()


@transaction.atomic
def account_create_invited(
    *, username: str, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """A person opening an invitation sets up their own account.

    The link reached them at `email`, so the address is recorded as verified and primary
    (allauth's email page then shows it so). The username and password rules are the portal's
    own (portal/accounts/usernames.py, AUTH_PASSWORD_VALIDATORS).
    """
    from allauth.account.models import EmailAddress

    user = User(
        username=normalize_username(username),
        email=email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
    )
    user.full_clean(exclude=["password"])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    save_checked(user)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@transaction.atomic
def email_address_record(*, user: User) -> None:
    """Record the account's own address for allauth as verified and primary, if allauth has no
    record of it.

    Addresses people add themselves go through allauth (and its verification) and always have
    a record; an address on the account without one was set by an administrator (the admin,
    an import, a command, the demo), who vouches for it. Without this, allauth's email page
    would list it as unverified and not primary.
    """
    from allauth.account.models import EmailAddress

    if not user.email or EmailAddress.objects.filter(user=user, email=user.email).exists():
        return
    EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


FEED_OTHERS = "People can only change their own calendar feed."
FEED_TOKEN_BYTES = 32


@transaction.atomic
def feed_token_renew(*, actor: User, user: User) -> FeedToken:
    """A new calendar feed address for `user` (their own); the previous one stops working."""
    if actor.pk != user.pk:
        raise PermissionDenied(FEED_OTHERS)
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    feed, _ = FeedToken.objects.update_or_create(user=user, defaults={"token": token})
    return feed


@transaction.atomic
def feed_token_revoke(*, actor: User, user: User) -> bool:
    """Turn off `user`'s calendar feed (their own); True when there was one."""
    if actor.pk != user.pk:
        raise PermissionDenied(FEED_OTHERS)
    deleted, _ = FeedToken.objects.filter(user=user).delete()
    return bool(deleted)
