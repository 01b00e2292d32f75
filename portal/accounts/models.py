from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from portal.core.models import CheckedInputMixin

EMAIL_TAKEN = "A user with this email address already exists."


class PortalUserManager(UserManager):
    @classmethod
    def normalize_email(cls, email):
        # Stored lower-case, as allauth expects when it looks people up by email.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        # Usernames are matched case-insensitively so "Alice" and "alice" are one person.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(CheckedInputMixin, AbstractUser):
    """A person using the portal. Email is unique regardless of case (when given)."""

    receive_daily_summary = models.BooleanField(
        "email me the daily summary",
        default=False,
        help_text="Send the daily summary of my teams by email.",
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
                violation_error_message="A user with that username already exists.",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        # Lower-case: allauth's login and password reset look emails up that way.
        self.email = (self.email or "").strip().lower()

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username
