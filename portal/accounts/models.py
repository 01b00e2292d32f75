from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from portal.accounts.usernames import (
    USERNAME_HELP,
    USERNAME_TAKEN,
    user_by_username,
    username_ensure_free,
    validate_username,
)
from portal.core.models import CheckedInputMixin, TimeStampedModel
from portal.core.zones import time_zone_choices, validate_time_zone

EMAIL_TAKEN = "A user with this email address already exists."


class PortalUserManager(UserManager):
    @classmethod
    def normalize_email(cls, email):
        # Stored lower-case, as allauth expects when it looks people up by email.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        # One name under the username rule is one person ("Alice", "alice", full-width "alice");
        # `createsuperuser` refuses a taken name through this.
        user = user_by_username(username)
        if user is None:
            raise self.model.DoesNotExist(f"No user named {username!r}.")
        return user


class User(CheckedInputMixin, AbstractUser):
    """A person using the portal. Email is unique regardless of case (when given); the
    username follows the one username rule (portal/accounts/usernames.py)."""

    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text=USERNAME_HELP,
        validators=[validate_username],
        error_messages={"unique": USERNAME_TAKEN},
    )

    receive_daily_summary = models.BooleanField(
        "email me the daily summary",
        default=False,
        help_text="Send the daily summary of my teams by email.",
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        blank=True,
        choices=time_zone_choices,
        validators=[validate_time_zone],
        help_text="Times are shown to me in this zone (empty: the portal's).",
    )
    teams = models.ManyToManyField(
        "teams.Team",
        through="teams.Membership",
        through_fields=("user", "team"),
        related_name="people",
        blank=True,
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
                violation_error_message=EMAIL_TAKEN,
            ),
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message=USERNAME_TAKEN,
            ),
        ]

    def clean(self) -> None:
        super().clean()
        # Lower-case: allauth's login and password reset look emails up that way.
        self.email = (self.email or "").strip().lower()

    def validate_constraints(self, exclude=None) -> None:
        # The case-insensitive constraint on the username is a weaker form of the username
        # rule (the database's lower()), so the rule is checked instead of it.
        exclude = set(exclude or ())
        errors: dict[str, list] = {}
        try:
            super().validate_constraints(exclude=exclude | {"username"})
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "username" not in exclude and "username" not in errors:
            try:
                username_ensure_free(self.username, exclude_pk=self.pk)
            except ValidationError as exc:
                errors["username"] = exc.error_list
        if errors:
            raise ValidationError(errors)

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def display_name(self) -> str:
        """The name people read: the full name, else the username."""
        return display_name(self.first_name, self.last_name, self.username)


# How every door names a person who is not there: deleted since, or the portal itself (a
# background job's change has no person).
NOBODY = "someone"


def display_name(first_name: str, last_name: str, username: str) -> str:
    """The name people read from a person's fields (rows read without the model, too)."""
    return f"{(first_name or '').strip()} {(last_name or '').strip()}".strip() or username


def name_of(user, instead: str = "") -> str:
    """`user.display_name`; for a person who is not there, `instead` (what did it: a job's
    name, from the history record) or NOBODY."""
    return (instead or NOBODY) if user is None else user.display_name


class FeedToken(TimeStampedModel):
    """A person's calendar feed address (`/feeds/<token>/my.ics`): whoever holds it reads the
    tasks that person may see with a due date, without signing in, so it is long and random,
    revocable and replaceable from the profile. Kept as given (not hashed): the profile shows
    it again, as calendar services show their secret addresses."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="feed_token")
    token = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "calendar feed token"

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
