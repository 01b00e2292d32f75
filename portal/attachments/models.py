"""Files attached to tasks and comments, and each team's choice of showing images on cards.

A row holds the name the person gave (as given, shown escaped), the name the file is stored
under (generated: never derived from the given name), its size, the content type sniffed from
its bytes, its SHA-256, the scan's verdict and the thumbnail's stored name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from portal.core.models import TimeStampedModel
from portal.tasks.models import Comment, Task
from portal.teams.models import Team

NAME_MAX = 255


class ScanState(models.TextChoices):
    PENDING = "pending", "pending scan"
    CLEAN = "clean", "clean"
    REJECTED = "rejected", "rejected"


class Attachment(TimeStampedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="uploaded by",
    )
    name = models.CharField("file name", max_length=NAME_MAX)
    storage_name = models.CharField(max_length=200, unique=True, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    content_type = models.CharField("type", max_length=100, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    scan_state = models.CharField(
        "scan", max_length=10, choices=ScanState.choices, default=ScanState.PENDING
    )
    scan_note = models.CharField(max_length=200, blank=True, editable=False)
    thumbnail_name = models.CharField(max_length=200, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "thumbnail_name"])

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "attachment"
        verbose_name_plural = "attachments"
        indexes = [models.Index(fields=["task", "created_at"], name="attachments_task_created")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/") and self.content_type != "image/svg+xml"


class TeamAttachmentSettings(TimeStampedModel):
    """A team's choices about attachments (one row per team, made when first changed)."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="attachment_settings")
    card_images = models.BooleanField(
        "images on board cards",
        default=False,
        help_text="Show each task's first attached image on its board card.",
    )

    class Meta:
        verbose_name = "team attachment settings"
        verbose_name_plural = "team attachment settings"

    def __str__(self) -> str:
        return f"{self.team}: attachments"
