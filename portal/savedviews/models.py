"""Saved views: a person's named filters, grouping and ordering of a task list, board or
calendar of a team (or of My work), private or shared with the team; one shared view per team
and page kind may be the team's default (docs/team-pages.md#saved-views)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from portal.core.models import TimeStampedModel
from portal.teams.models import Team

NAME_MAX = 80
NAME_TAKEN = "You already have a saved view of this name on this page; choose another name."
ONE_DEFAULT = "This page already has a default view; make that one not the default first."
DEFAULT_SHARED = "A team's default view must be shared with the team."
MY_WORK_PRIVATE = "Views of My work are yours alone: they cannot be shared or be a default."


class PageKind(models.TextChoices):
    LIST = "list", "Task list"
    BOARD = "board", "Board"
    CALENDAR = "calendar", "Calendar"


class SavedView(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
        help_text="Empty: a view of My work (every team of the owner's).",
    )
    kind = models.CharField("page", max_length=10, choices=PageKind.choices)
    name = models.CharField(max_length=NAME_MAX)
    # The page's query parameters, normalised (portal.savedviews.params): {"status": "todo"}.
    params = models.JSONField("filters", default=dict, blank=True)
    shared = models.BooleanField("shared with the team", default=False)
    is_default = models.BooleanField("the team's default", default=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "saved view"
        verbose_name_plural = "saved views"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "owner",
                "team",
                "kind",
                condition=Q(team__isnull=False),
                name="savedviews_name_per_team_page",
                violation_error_message=NAME_TAKEN,
            ),
            models.UniqueConstraint(
                Lower("name"),
                "owner",
                "kind",
                condition=Q(team__isnull=True),
                name="savedviews_name_per_my_work_page",
                violation_error_message=NAME_TAKEN,
            ),
            models.UniqueConstraint(
                fields=["team", "kind"],
                condition=Q(is_default=True),
                name="savedviews_one_default_per_page",
                violation_error_message=ONE_DEFAULT,
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(shared=True),
                name="savedviews_default_is_shared",
                violation_error_message=DEFAULT_SHARED,
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(shared=False),
                name="savedviews_my_work_private",
                violation_error_message=MY_WORK_PRIVATE,
            ),
        ]
        indexes = [
            # A page's menu: the views of one team and page kind.
            models.Index(fields=["team", "kind"], name="savedviews_team_kind"),
            models.Index(fields=["owner", "kind"], name="savedviews_owner_kind"),
        ]

    def __str__(self) -> str:
        return self.name
