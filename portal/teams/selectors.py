"""Reads about teams and people, scoped by the role rules in permissions.py."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from portal.teams.models import Membership, Team
from portal.teams.permissions import is_superuser, team_ids_for


def teams_visible_to(user) -> QuerySet[Team]:
    qs = Team.objects.all()
    if not is_superuser(user):
        qs = qs.filter(pk__in=team_ids_for(user))
    return qs.order_by("name")


def memberships_visible_to(user) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("user", "team")
    if not is_superuser(user):
        qs = qs.filter(team_id__in=team_ids_for(user))
    return qs


def users_visible_to(user) -> QuerySet:
    """People who share a team with `user` (and `user` themself); everyone for superusers."""
    User = get_user_model()
    qs = User.objects.all()
    if not is_superuser(user):
        if not (user and user.is_authenticated):
            return qs.none()
        fellows = Membership.objects.filter(team_id__in=team_ids_for(user)).values("user_id")
        qs = qs.filter(Q(pk__in=fellows) | Q(pk=user.pk))
    return qs.order_by("username")


def team_members(team: Team) -> QuerySet:
    """Active people in `team`, for assignee choices."""
    return (
        get_user_model().objects.filter(memberships__team=team, is_active=True).order_by("username")
    )
