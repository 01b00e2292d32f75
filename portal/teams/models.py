import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.core.models import TimeStampedModel
from portal.core.validators import as_id
from portal.core.zones import portal_time_zone, time_zone_choices, validate_time_zone

TEAM_KEY_INVALID = "The key must be 2 to 10 upper-case letters, such as OPS."
ALREADY_MEMBER = "This person is already a member of the team."
TEAM_REF_INVALID = "Enter a team id, a team key such as OPS or a team slug such as operations."
# A key (OPS) or a slug (operations), in any case: what a person may name a team by (digits
# alone are an id).
TEAM_NAME_PATTERN = r"(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9_-]{0,99}"
TEAM_NAME_RE = re.compile(TEAM_NAME_PATTERN)


def parse_team_ref(value) -> int | str:
    """How a person names a team, read from text or a JSON number: an id (whole number) or a
    key/slug (text). ValueError for anything else (what no team can be called)."""
    if isinstance(value, int) and not isinstance(value, bool):
        pk = as_id(value)
    else:
        text = str(value).strip() if isinstance(value, str) else ""
        if text.isascii() and text.isdigit():
            pk = as_id(text)
        elif TEAM_NAME_RE.fullmatch(text):
            return text
        else:
            pk = None
    if pk is None:
        raise ValueError(TEAM_REF_INVALID)
    return pk


def team_ref_q(ref: int | str, prefix: str = "") -> Q:
    """The team `ref` names (see `parse_team_ref`): by id, or by key or slug in any case.

    `prefix` reaches it across a relation (`team__` from tasks). Digits are always an id.
    """
    if isinstance(ref, int):
        return Q(**{f"{prefix}pk": ref})
    return Q(**{f"{prefix}key": ref.upper()}) | Q(**{f"{prefix}slug": ref.lower()})


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
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        default=portal_time_zone,
        choices=time_zone_choices,
        validators=[validate_time_zone],
        help_text="When the team's days begin and end: due days, today, the reports' weeks.",
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
