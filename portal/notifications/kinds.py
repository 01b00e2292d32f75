"""What a person is told of, and how each kind reaches them by email unless they choose."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    MENTIONED = "mentioned", "You were mentioned"
    COMMENTED = "commented", "A comment on a task you watch"
    STATUS = "status", "A status change on a task you watch"
    DUE_SOON = "due_soon", "A task you watch is due within a day"
    OVERDUE = "overdue", "A task you watch is overdue"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Email at once"
    DIGEST = "digest", "In the daily digest"
    NEVER = "never", "No email"


# A person's email choice for a kind they have not chosen for.
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.ASSIGNED: Delivery.IMMEDIATELY,
    Kind.MENTIONED: Delivery.IMMEDIATELY,
    Kind.COMMENTED: Delivery.DIGEST,
    Kind.STATUS: Delivery.DIGEST,
    Kind.DUE_SOON: Delivery.DIGEST,
    Kind.OVERDUE: Delivery.DIGEST,
}

# One event tells a person one thing: the first of these that applies to them.
RANK = [Kind.MENTIONED, Kind.ASSIGNED, Kind.OVERDUE, Kind.DUE_SOON, Kind.STATUS, Kind.COMMENTED]
