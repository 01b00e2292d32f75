"""The outbox: one row per change, written in the change's own transaction.

An event names its team and task by id, not by foreign key: it outlives them (a deletion is an
event too, and a webhook must still hear of it). The dispatcher (`services.events_dispatch`)
hands undispatched events, oldest first, to the apps that act on them (notifications,
webhooks) and marks them dispatched in the same transaction as their work.
"""

from django.conf import settings
from django.db import models

from portal.events.kinds import kind_choices


class Event(models.Model):
    kind = models.CharField(max_length=40, choices=kind_choices, db_index=True)
    team_id = models.BigIntegerField("team", null=True, blank=True, db_index=True)
    task_id = models.BigIntegerField("task", null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who made the change (empty for the portal's own schedules).",
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("when", auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The dispatcher's queue: undispatched events, oldest first.
            models.Index(
                fields=["id"],
                name="event_undispatched",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
