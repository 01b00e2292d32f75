"""Reads about people that need no team: calendar feed tokens."""

from __future__ import annotations

from portal.accounts.models import FeedToken, User


def feed_token_of(user: User) -> FeedToken | None:
    """The person's calendar feed token, or None when they have none (or revoked it)."""
    return FeedToken.objects.filter(user=user).first()


def feed_owner(token: str) -> User | None:
    """Whose feed `token` opens: an active person, or None for a wrong or revoked token."""
    feed = FeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
