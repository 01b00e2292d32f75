"""Roles in teams: the one place that knows them.

Every door (admin, API, commands, jobs) calls these functions, the task rules built on them
(`portal.tasks.permissions`) or the selectors built on `team_ids_for`. Roles:

- superuser: everything;
- lead: everything inside their team, including its memberships;
- member: read team tasks, create tasks, edit and comment on team tasks, archive their own;
- viewer: read only;
- outsider: nothing (doors answer 404, so a task's existence is not revealed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from portal.accounts.permissions import is_superuser
from portal.teams.models import Membership, Role

__all__ = ["is_superuser"]  # re-exported: doors ask `perms.is_superuser` beside the roles

if TYPE_CHECKING:
    from portal.teams.models import Team

WRITE_ROLES = frozenset({Role.LEAD, Role.MEMBER})

# Messages for PermissionDenied, reused by doors and tests.
DENIED_MANAGE_TEAM = "Only the team lead can manage this team and its members."
DENIED_SUPERUSER = "Only administrators can do this."


def roles_for(user) -> dict[int, str]:
    """Map team id -> role for `user`, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    cache = getattr(user, "_portal_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
        user._portal_roles = cache
    return cache


def forget_roles(user) -> None:
    """Drop the cached roles after memberships change."""
    if user is not None and hasattr(user, "_portal_roles"):
        del user._portal_roles


def role_in(user, team_id: int) -> str | None:
    return roles_for(user).get(team_id)


def team_ids_for(user) -> list[int]:
    return list(roles_for(user))


def lead_team_ids_for(user) -> list[int]:
    return [tid for tid, role in roles_for(user).items() if role == Role.LEAD]


def writable_team_ids_for(user) -> list[int]:
    return [tid for tid, role in roles_for(user).items() if role in WRITE_ROLES]


# --- team scoping: the one rule every `*_visible_to` selector applies ---------------------
def in_my_teams(user, field: str = "team_id") -> Q:
    """Rows of `user`'s teams, where `field` names the row's team; every row for superusers.

    `filter(in_my_teams(user))` on tasks, `in_my_teams(user, "pk")` on teams,
    `in_my_teams(user, "task__team_id")` on comments, and so on.
    """
    if is_superuser(user):
        return Q()
    return Q(**{f"{field}__in": team_ids_for(user)})


# --- the portal as a whole --------------------------------------------------------------
def can_use_portal(user) -> bool:
    """Sign in to the admin and see team data: administrators and anyone in a team."""
    return is_superuser(user) or bool(roles_for(user))


def can_write_somewhere(user) -> bool:
    """Create or change tasks in at least one team."""
    return is_superuser(user) or bool(writable_team_ids_for(user))


def can_lead_somewhere(user) -> bool:
    """Lead at least one team (manage members, delete tasks)."""
    return is_superuser(user) or bool(lead_team_ids_for(user))


def can_add_people(user) -> bool:
    """Look up any active person to add them to a team they lead."""
    return can_lead_somewhere(user)


# --- teams -------------------------------------------------------------------------------
def can_view_team(user, team: Team) -> bool:
    return is_superuser(user) or role_in(user, team.pk) is not None


def can_manage_team(user, team: Team) -> bool:
    """Change the team's details and its memberships."""
    return is_superuser(user) or role_in(user, team.pk) == Role.LEAD


def can_create_team(user) -> bool:
    return is_superuser(user)


def can_delete_team(user, team: Team) -> bool:
    return is_superuser(user)
