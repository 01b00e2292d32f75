"""Who may see or change what: the one place the role rules live.

Every door (admin, API, commands, jobs) calls these functions or the selectors
built on `team_ids_for`. Roles:

- superuser: everything;
- lead: everything inside their team, including its memberships;
- member: read team tasks, create tasks, edit and comment on team tasks, archive their own;
- viewer: read only;
- outsider: nothing (doors answer 404, so a task's existence is not revealed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.teams.models import Membership, Role

if TYPE_CHECKING:
    from portal.tasks.models import Comment, Task
    from portal.teams.models import Team

WRITE_ROLES = frozenset({Role.LEAD, Role.MEMBER})

# Messages for PermissionDenied, reused by doors and tests.
DENIED_CREATE_TASK = "Only leads and members of the team can create tasks."
DENIED_EDIT_TASK = "Only leads and members of the team can change its tasks."
DENIED_ARCHIVE_TASK = "Only the team lead or the person who created the task can archive it."
DENIED_DELETE_TASK = "Only the team lead can delete tasks."
DENIED_COMMENT = "Only leads and members of the team can comment."
DENIED_EDIT_COMMENT = "Only the author or the team lead can change this comment."
DENIED_MANAGE_TEAM = "Only the team lead can manage this team and its members."
DENIED_SUPERUSER = "Only administrators can do this."
DENIED_TAG = "Only leads and members of a team can create tags."


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


def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def role_in(user, team_id: int) -> str | None:
    return roles_for(user).get(team_id)


def team_ids_for(user) -> list[int]:
    return list(roles_for(user))


def lead_team_ids_for(user) -> list[int]:
    return [tid for tid, role in roles_for(user).items() if role == Role.LEAD]


def writable_team_ids_for(user) -> list[int]:
    return [tid for tid, role in roles_for(user).items() if role in WRITE_ROLES]


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


# --- tasks -------------------------------------------------------------------------------
def can_view_task(user, task: Task) -> bool:
    return is_superuser(user) or role_in(user, task.team_id) is not None


def can_create_task(user, team: Team) -> bool:
    return is_superuser(user) or role_in(user, team.pk) in WRITE_ROLES


def can_edit_task(user, task: Task) -> bool:
    return is_superuser(user) or role_in(user, task.team_id) in WRITE_ROLES


def can_archive_task(user, task: Task) -> bool:
    if is_superuser(user):
        return True
    role = role_in(user, task.team_id)
    return role == Role.LEAD or (role == Role.MEMBER and task.created_by_id == user.pk)


def can_delete_task(user, task: Task) -> bool:
    return is_superuser(user) or role_in(user, task.team_id) == Role.LEAD


def can_comment(user, task: Task) -> bool:
    return can_edit_task(user, task)


def can_edit_comment(user, comment: Comment, team_id: int) -> bool:
    if is_superuser(user):
        return True
    role = role_in(user, team_id)
    if role == Role.LEAD:
        return True
    return role == Role.MEMBER and comment.author_id == user.pk


def can_create_tag(user) -> bool:
    return is_superuser(user) or bool(writable_team_ids_for(user))


def can_change_tag(user) -> bool:
    """Tags are shared by all teams, so only administrators rename or delete them."""
    return is_superuser(user)
