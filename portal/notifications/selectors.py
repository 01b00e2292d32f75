"""Reads of watchers, notifications and email choices."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts.models import User
from portal.notifications.kinds import DEFAULT_DELIVERY, Kind
from portal.notifications.models import Notification, Preference, Watch
from portal.teams.permissions import in_my_teams


def notifications_of(*, fetched_by, unread: bool | None = None) -> QuerySet[Notification]:
    """The person's own notifications, newest first, about tasks of teams they still see
    (someone who left a team no longer reads its task titles in their inbox)."""
    qs = (
        Notification.objects.filter(user=fetched_by)
        .filter(in_my_teams(fetched_by))
        .select_related("actor", "task__team")
        .order_by("-id")
    )
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


# The bell counts this far and shows "99+" beyond: the COUNT never scans a long backlog.
UNREAD_CAP = 99


def unread_count(user) -> int:
    """The bell's number (at most UNREAD_CAP + 1): one COUNT on the (user, read_at) index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_of(fetched_by=user, unread=True)[: UNREAD_CAP + 1].count()


def is_watching(user, task) -> bool:
    return Watch.objects.filter(task=task, user=user).exists()


def watchers_of(task) -> QuerySet:
    return User.objects.filter(watches__task=task).order_by("username")


def preferences_of(user) -> dict[str, str]:
    """Kind -> delivery for every kind: the person's choice or the default."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in Kind.values}


def preferences_by_user(user_ids) -> dict[int, dict[str, str]]:
    """The choices people made (not the defaults), for many people in one query."""
    chosen: dict[int, dict[str, str]] = {}
    for user_id, kind, delivery in Preference.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "kind", "delivery"
    ):
        chosen.setdefault(user_id, {})[kind] = delivery
    return chosen
