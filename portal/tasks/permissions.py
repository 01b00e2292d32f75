"""Who may see or change tasks, comments and tags, on top of the teams' roles.

The role look-ups (`role_in`, `is_superuser`, loaded once per request) live in
`portal.teams.permissions`; the rules about tasks live here, below every door.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from portal.accounts.models import User
from portal.tasks.choices import Status
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
DENIED_EDIT_COMMENT = "Only its author can change this comment."
DENIED_DELETE_COMMENT = "Only its author or the team lead can delete this comment."
DENIED_TAG = "Only leads and members of a team can create tags."
# Why a task cannot be taken (reasons, shown after "OPS-42 was not changed: ").
TAKE_NOT_MEMBER = "only leads and members of the team take its tasks."
TAKE_NOT_OPEN = "only open tasks are taken (not done, not archived)."
TAKE_MINE = "it is assigned to you already."


# --- tasks -------------------------------------------------------------------------------
def can_view_task(user, task: Task) -> bool:
    return is_superuser(user) or role_in(user, task.team_id) is not None


def task_viewers_q(team_ids: Iterable[int]) -> Q:
    """`can_view_task` as a filter of people: active administrators, and anyone with a role in
    one of these teams (a person may appear once per team: add `.distinct()` for people)."""
    return Q(is_active=True) & (Q(is_superuser=True) | Q(memberships__team_id__in=team_ids))


def task_viewers(user_ids: Iterable[int], team_ids: Iterable[int]) -> set[tuple[int, int]]:
    """`can_view_task` for many people and teams at once, in one query: the (person, team)
    pairs among these where the person may see the team's tasks (active administrators see
    every team's; anyone else needs a role in the team)."""
    user_ids, team_ids = set(user_ids), set(team_ids)
    if not user_ids or not team_ids:
        return set()
    rows = (
        User.objects.filter(pk__in=user_ids)
        .filter(task_viewers_q(team_ids))
        .values_list("pk", "is_superuser", "memberships__team_id")
    )
    pairs: set[tuple[int, int]] = set()
    for pk, superuser, team_id in rows:
        if superuser:
            pairs.update((pk, t) for t in team_ids)
        elif team_id in team_ids:
            pairs.add((pk, team_id))
    return pairs


def can_create_task(user, team: Team) -> bool:
    return is_superuser(user) or role_in(user, team.pk) in WRITE_ROLES


def can_take_tasks(user, team: Team) -> bool:
    """Whether the person may be assigned the team's tasks ("take" one): leads and members.

    Administrators who are not in the team cannot be assignees (`validate_assignees`).
    """
    return role_in(user, team.pk) in WRITE_ROLES


def take_refusal(
    user, team_id: int, *, status: str, is_archived: bool, assignee_ids: Iterable[int]
) -> str:
    """Why `user` may not take this task (assign it to themselves as well), or "" if they may.

    Taking is for leads and members, on an open task (not done, not archived) that is not
    theirs yet. Plain values, so the board decides for its card rows without loading tasks.
    """
    if role_in(user, team_id) not in WRITE_ROLES:
        return TAKE_NOT_MEMBER
    if status == Status.DONE or is_archived:
        return TAKE_NOT_OPEN
    if user.pk in set(assignee_ids):
        return TAKE_MINE
    return ""


def task_take_refusal(user, task: Task) -> str:
    """`take_refusal` for a task read with its assignees (as `tasks_visible_to` preloads them)."""
    return take_refusal(
        user,
        task.team_id,
        status=task.status,
        is_archived=task.is_archived,
        assignee_ids=[person.pk for person in task.assignees.all()],
    )


def can_take_task(user, task: Task) -> bool:
    return not task_take_refusal(user, task)


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
    """Only the author changes a comment's words, while they may still comment in the team
    (a lead may delete a comment, never rewrite it)."""
    if comment.author_id is None or comment.author_id != user.pk:
        return False
    return is_superuser(user) or role_in(user, team_id) in WRITE_ROLES


def can_delete_comment(user, comment: Comment, team_id: int) -> bool:
    """The author (a lead or member of the team), the team's lead, or an administrator."""
    if is_superuser(user):
        return True
    role = role_in(user, team_id)
    return role == Role.LEAD or (role == Role.MEMBER and comment.author_id == user.pk)


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
