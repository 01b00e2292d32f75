"""Who watches which task, what each person was told, and how they want to hear of it.

A notification copies what its inbox row shows (the task's key and title, the comment's id)
from the event that made it: the event log is purged sooner than the inbox, and a deleted task
must still read as something in the inbox. The task link (`task`) empties when it is deleted.
"""

from django.conf import settings
from django.db import models

from portal.notifications.kinds import Delivery, Kind


class Watch(models.Model):
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="watches")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "user"]
        verbose_name = "watcher"
        verbose_name_plural = "watchers"
        constraints = [
            models.UniqueConstraint(fields=["task", "user"], name="notifications_watch_unique")
        ]
        indexes = [models.Index(fields=["user"], name="notifications_watch_user")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.task_id}"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The event it came from (by id: the event log is purged before the inbox is).
    event_id = models.BigIntegerField("event", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team_id = models.BigIntegerField("team", null=True, blank=True)
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_key = models.CharField(max_length=40, blank=True)
    task_title = models.CharField(max_length=200, blank=True)
    comment_id = models.BigIntegerField("comment", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # How it is emailed, decided when it is made (the person's choice then).
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.NEVER)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # A dispatcher handing the same event over twice adds nothing (docs/events.md).
            models.UniqueConstraint(
                fields=["user", "event_id"], name="notifications_notification_user_event"
            )
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notifications_user_read"),
            # The email jobs' queue: what is still to be sent.
            models.Index(
                fields=["delivery", "id"],
                name="notifications_unsent",
                condition=models.Q(emailed_at__isnull=True) & ~models.Q(delivery=Delivery.NEVER),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.task_key} (to {self.user_id})"


class Preference(models.Model):
    """A person's email choice for one kind (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = "email preference"
        verbose_name_plural = "email preferences"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"
