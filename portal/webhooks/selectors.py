"""Reads of webhook endpoints and deliveries: a team's leads see them (administrators: all)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from portal.events.models import Event
from portal.teams.models import Membership, Role
from portal.teams.selectors import teams_managed_by
from portal.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint


def endpoints_visible_to(*, fetched_by) -> QuerySet[Endpoint]:
    """Endpoints of the teams `fetched_by` manages (leads; administrators: every team)."""
    teams = teams_managed_by(fetched_by=fetched_by).order_by().values("pk")
    return Endpoint.objects.filter(team__in=teams).select_related("team", "created_by")


def deliveries_visible_to(*, fetched_by) -> QuerySet[Delivery]:
    teams = teams_managed_by(fetched_by=fetched_by).order_by().values("pk")
    return Delivery.objects.filter(endpoint__team__in=teams).select_related("endpoint__team")


def delivery_attempts(queryset: QuerySet[Delivery]) -> QuerySet[Delivery]:
    return queryset.prefetch_related(
        Prefetch("attempt_set", queryset=Attempt.objects.order_by("at", "pk"))
    )


def deliveries_due(*, now: datetime) -> QuerySet[Delivery]:
    """Pending deliveries due now, oldest event first, that may go out now.

    A delivery of a task waits while an earlier one of the same endpoint and task is pending,
    and while an earlier event of the task is not dispatched yet (a dispatcher running beside
    this one may still be creating its delivery), so a task's events reach each endpoint in
    the order they happened. Endpoints switched off keep their deliveries pending.
    """
    earlier_pending = Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        task_id=OuterRef("task_id"),
        status=DeliveryStatus.PENDING,
        event_id__lt=OuterRef("event_id"),
    )
    earlier_undispatched = Event.objects.filter(
        task_id=OuterRef("task_id"),
        dispatched_at__isnull=True,
        pk__lt=OuterRef("event_id"),
    )
    return (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        )
        # Rows without a task (team events, pings) match neither: NULL equals nothing.
        .filter(~Exists(earlier_pending), ~Exists(earlier_undispatched))
        .order_by("event_id", "pk")
    )


def endpoints_for_teams(team_ids: list[int]) -> list[Endpoint]:
    return list(Endpoint.objects.filter(team_id__in=team_ids, is_active=True).order_by("pk"))


def lead_emails(team_id: int) -> list[str]:
    """Addresses of the team's active leads (who hear of a webhook switched off)."""
    return list(
        Membership.objects.filter(team_id=team_id, role=Role.LEAD, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
