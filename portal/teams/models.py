import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
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


ALREADY_INVITED = "An invitation to this address is already open; resend it instead."


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


class Invitation(TimeStampedModel):
    """An email address asked to join a team with a role, by a lead (portal.teams.invitations).

    The link's token is stored only as its SHA-256 (`token_hash`): the database alone gives no
    working link, and a new link (resend) replaces the old one. Pending until accepted, revoked
    or past `expires_at`.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("email address")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField("sent")
    expires_at = models.DateTimeField("expires")
    accepted_at = models.DateTimeField("accepted", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField("revoked", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "token_hash"])

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        constraints = [
            # One open invitation per address and team: inviting again sends the same one anew.
            models.UniqueConstraint(
                "team",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="teams_invitation_one_open_per_email",
                violation_error_message=ALREADY_INVITED,
            )
        ]
        indexes = [models.Index(fields=["team", "sent_at"], name="teams_invitation_team_sent")]

    def __str__(self) -> str:
        return f"{self.email} to {self.team.key} as {self.get_role_display()}"

    @property
    def is_open(self) -> bool:
        """Neither accepted nor revoked (it may still have expired)."""
        return self.accepted_at is None and self.revoked_at is None

    def state(self, now=None) -> str:
        """pending, accepted, revoked or expired (as `InvitationState`)."""
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return InvitationState.EXPIRED
        return InvitationState.PENDING


class InvitationState(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
