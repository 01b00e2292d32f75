"""Webhook endpoints of a team, one delivery per (endpoint, event) and each attempt at it.

The delivery row is the truth and the broker a doorbell: a delivery is `pending` until it
succeeds, fails for good (an answer other than 2xx, 429 or 5xx) or gives up after
WEBHOOKS_RETRY_HOURS of retries. The delivery job (portal/webhooks/jobs.py) sends what is due;
a delivery whose job died is due again when its lease (`next_attempt_at`) runs out.
"""

import secrets

from django.conf import settings
from django.db import models

from portal.core.models import CheckedInputMixin, TimeStampedModel
from portal.events.kinds import PING
from portal.events.models import Event
from portal.teams.models import Team
from portal.webhooks.addresses import URL_MAX_LENGTH, validate_webhook_url


def new_secret() -> str:
    return secrets.token_hex(32)


class Endpoint(TimeStampedModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(
        "URL",
        max_length=URL_MAX_LENGTH,
        validators=[validate_webhook_url],
        help_text="http:// or https:// address that receives a POST per event.",
    )
    secret = models.CharField(
        max_length=64,
        default=new_secret,
        editable=False,
        help_text="Signs every request (X-Portal-Signature); shown to the team's leads.",
    )
    kinds = models.JSONField(
        "event kinds",
        default=list,
        blank=True,
        help_text="Event kinds to send (docs/events.md); empty sends every kind.",
    )
    is_active = models.BooleanField("active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="First failed attempt since the last success."
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["team__name", "url", "pk"]
        verbose_name = "webhook endpoint"
        verbose_name_plural = "webhook endpoints"
        indexes = [models.Index(fields=["team", "is_active"], name="webhooks_endpoint_team_on")]

    def __str__(self) -> str:
        return self.url

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    GAVE_UP = "gave_up", "Gave up"


class Delivery(CheckedInputMixin, models.Model):
    """One event (or one test ping, `event` empty) for one endpoint."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    # Deleted with the event when the event log is purged (EVENTS_KEEP_DAYS).
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40, help_text="The event's kind, or ping.")
    # Copied from the event: deliveries of one task go out in order (see the selectors).
    task_id = models.BigIntegerField("task", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a pending delivery is due (its lease while sent)."
    )
    retry_until = models.DateTimeField(help_text="After this a failing delivery gives up.")
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField("created", auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="webhooks_delivery_endpoint_event_unique"
            )
        ]
        indexes = [
            # The delivery job's queue: pending deliveries by due time.
            models.Index(
                fields=["next_attempt_at"],
                name="webhooks_delivery_due",
                condition=models.Q(status="pending"),
            ),
            # "Is an earlier delivery of this task still pending?" and the endpoint's list.
            models.Index(
                fields=["endpoint", "task_id", "status"], name="webhooks_delivery_task_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.event_id or '-'} to {self.endpoint_id}"

    @property
    def is_ping(self) -> bool:
        return self.kind == PING


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField("duration (ms)", default=0)
    response = models.TextField("answer (first 1 KB)", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "delivery attempt"
        verbose_name_plural = "delivery attempts"

    def __str__(self) -> str:
        return f"{self.status_code or self.error} at {self.at:%Y-%m-%d %H:%M:%S}"
