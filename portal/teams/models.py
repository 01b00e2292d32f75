from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.core.models import TimeStampedModel

TEAM_KEY_INVALID = "The key must be 2 to 10 upper-case letters, such as OPS."
ALREADY_MEMBER = "This person is already a member of the team."


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Team(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    key = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,10}$", TEAM_KEY_INVALID)],
        help_text="2-10 upper-case letters used in task keys, e.g. OPS for OPS-42.",
    )
    # Highest task number handed out so far; guarded by a row lock in task_create.
    last_task_number = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["last_task_number", "updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = "team"
        verbose_name_plural = "teams"

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class Membership(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateField("joined", default=timezone.localdate)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["team__name", "user__username"]
        verbose_name = "membership"
        verbose_name_plural = "memberships"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team"],
                name="teams_membership_user_team_unique",
                violation_error_message=ALREADY_MEMBER,
            )
        ]
        indexes = [models.Index(fields=["team", "role"], name="teams_membership_team_role")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team.key} as {self.get_role_display()}"
