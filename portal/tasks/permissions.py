"""Who may see or change tasks, comments and tags, on top of the teams' roles.

The role look-ups (`role_in`, `is_superuser`, loaded once per request) live in
`portal.teams.permissions`; the rules about tasks live here, below every door.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from portal.teams.models import Role
from portal.teams.permissions import WRITE_ROLES, is_superuser, role_in, writable_team_ids_for

if TYPE_CHECKING:
    from portal.tasks.models import Comment, Task
    from portal.teams.models import Team

# Messages for PermissionDenied, reused by doors and tests.
DENIED_CREATE_TASK = "Only leads and members of the team can create tasks."
DENIED_EDIT_TASK = "Only leads and members of the team can change its tasks."
DENIED_ARCHIVE_TASK = "Only the team lead or the person who created the task can archive it."
DENIED_DELETE_TASK = "Only the team lead can delete tasks."
DENIED_COMMENT = "Only leads and members of the team can comment."
DENIED_EDIT_COMMENT = "Only the author or the team lead can change this comment."
DENIED_TAG = "Only leads and members of a team can create tags."


# --- tasks -------------------------------------------------------------------------------
def can_view_task(user, task: Task) -> bool:
    return is_superuser(user) or role_in(user, task.team_id) is not None


def can_create_task(user, team: Team) -> bool:
    return is_superuser(user) or role_in(user, team.pk) in WRITE_ROLES


def can_take_tasks(user, team: Team) -> bool:
    """Whether the person may be assigned the team's tasks ("take" one): leads and members.

    Administrators who are not in the team cannot be assignees (`validate_assignees`).
    """
    return role_in(user, team.pk) in WRITE_ROLES


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


# --- refusals ------------------------------------------------------------------------------
# A rule and the message of its refusal, for the doors that check before reading a request's
# input (the services check the same rule again when they write).
EDIT_TASK = (can_edit_task, DENIED_EDIT_TASK)
COMMENT = (can_comment, DENIED_COMMENT)


def require(rule: tuple[Callable[[Any, Task], bool], str], user, task: Task) -> None:
    """PermissionDenied with the rule's message when `user` may not."""
    allowed, message = rule
    if not allowed(user, task):
        raise PermissionDenied(message)
