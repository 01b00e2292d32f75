"""Reads about teams and people, scoped by the role rules in permissions.py."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from portal.teams.models import Invitation, Membership, Team
from portal.teams.permissions import (
    WRITE_ROLES,
    can_add_people,
    can_manage_team,
    in_my_teams,
    is_superuser,
    lead_team_ids_for,
    team_ids_for,
    writable_team_ids_for,
)


def teams_visible_to(*, fetched_by) -> QuerySet[Team]:
    return Team.objects.filter(in_my_teams(fetched_by, "pk")).order_by("name")


def memberships_visible_to(*, fetched_by) -> QuerySet[Membership]:
    return Membership.objects.select_related("user", "team").filter(in_my_teams(fetched_by))


def users_visible_to(*, fetched_by) -> QuerySet:
    """People who share a team with `user` (and `user` themself); everyone for superusers."""
    User = get_user_model()
    qs = User.objects.all()
    if not is_superuser(fetched_by):
        if not (fetched_by and fetched_by.is_authenticated):
            return qs.none()
        fellows = Membership.objects.filter(team_id__in=team_ids_for(fetched_by)).values("user_id")
        qs = qs.filter(Q(pk__in=fellows) | Q(pk=fetched_by.pk))
    return qs.order_by("username")


def users_by_login(*, fetched_by, logins: Iterable[str]) -> dict[str, object]:
    """People `user` may see, by lower-cased username and by lower-cased email (one query)."""
    wanted = {login.strip().lower() for login in logins if login.strip()}
    if not wanted:
        return {}
    found = users_visible_to(fetched_by=fetched_by).annotate(
        lower_username=Lower("username"), lower_email=Lower("email")
    )
    found = found.filter(Q(lower_username__in=wanted) | Q(lower_email__in=wanted))
    people: dict[str, object] = {}
    for person in found:
        people[person.username.lower()] = person
        if person.email:
            people.setdefault(person.email.lower(), person)
    return people


def teams_by_name(*, fetched_by) -> dict[str, Team]:
    """Teams `user` may see, by key (upper-case) and by slug (lower-case)."""
    found: dict[str, Team] = {}
    for team in teams_visible_to(fetched_by=fetched_by):
        found[team.key.upper()] = team
        found.setdefault(team.slug.lower(), team)
    return found


def teams_writable_by(*, fetched_by) -> QuerySet[Team]:
    """Teams where `user` may create tasks (choices on a new task's form)."""
    qs = Team.objects.all()
    if not is_superuser(fetched_by):
        qs = qs.filter(pk__in=writable_team_ids_for(fetched_by))
    return qs.order_by("name")


def assignable_people(*, fetched_by, team_ids=None) -> QuerySet:
    """Active leads and members of `team_ids` (default: the teams `user` can write in) whom
    `user` can see: the people tasks of those teams may be assigned to.

    Team ids outside the user's own teams are ignored, so a forged id reveals nothing.
    """
    if team_ids is None:
        team_ids = writable_team_ids_for(fetched_by)
    if not is_superuser(fetched_by):
        team_ids = [tid for tid in team_ids if tid in set(team_ids_for(fetched_by))]
    # Leads and members: viewers cannot work on tasks, so they are never offered.
    members = Membership.objects.filter(team_id__in=list(team_ids), role__in=WRITE_ROLES)
    members = members.values("user_id")
    return users_visible_to(fetched_by=fetched_by).filter(pk__in=members, is_active=True)


def assignee_choices(*, fetched_by) -> QuerySet:
    """People a task list can be filtered by as assignee: leads and members of `user`'s teams
    (every team for superusers), whom `user` can see.

    Unlike `assignable_people` this keeps deactivated people: deactivating someone does not
    unassign them, and their open tasks are what someone looks for to hand them over.
    """
    members = Membership.objects.filter(in_my_teams(fetched_by), role__in=WRITE_ROLES)
    return users_visible_to(fetched_by=fetched_by).filter(pk__in=members.values("user_id"))


def people_addable_by(*, fetched_by) -> QuerySet:
    """People `user` may pick when adding someone to a team: anyone active for leads (a
    newcomer has no team yet), fellow members otherwise."""
    if can_add_people(fetched_by):
        return get_user_model().objects.filter(is_active=True).order_by("username")
    return users_visible_to(fetched_by=fetched_by)


def team_members(*, fetched_by, team: Team) -> QuerySet[Membership]:
    """The team's memberships with their people, leads first, for anyone who may see the team."""
    return (
        memberships_visible_to(fetched_by=fetched_by)
        .filter(team=team)
        .order_by("role", "user__username")
    )


def invitations_open(*, fetched_by, team: Team) -> QuerySet[Invitation]:
    """Invitations of `team` not yet accepted or revoked (expired ones too, to resend), newest
    first, with who sent them: for the team's leads and administrators; nobody else."""
    if not can_manage_team(fetched_by, team):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(team=team, accepted_at=None, revoked_at=None)
        .select_related("invited_by")
        .order_by("-sent_at", "-pk")
    )


def invitations_visible_to(*, fetched_by) -> QuerySet[Invitation]:
    """Every invitation of the teams `fetched_by` leads (all of them for administrators)."""
    qs = Invitation.objects.select_related("team", "invited_by", "accepted_by")
    if is_superuser(fetched_by):
        return qs
    return qs.filter(team_id__in=lead_team_ids_for(fetched_by))


def teams_managed_by(*, fetched_by) -> QuerySet[Team]:
    """Teams whose memberships `fetched_by` manages (and so may invite to)."""
    qs = Team.objects.all()
    if not is_superuser(fetched_by):
        qs = qs.filter(pk__in=lead_team_ids_for(fetched_by))
    return qs.order_by("name")
