"""Who may do what with attachments: leads and members attach; the uploader (while still a
lead or member) and leads delete; everyone who may see the task downloads. Outsiders are
never told a file exists (the selectors leave it out: 404)."""

from __future__ import annotations

from portal.attachments.models import Attachment
from portal.tasks import permissions as task_perms
from portal.tasks.models import Task
from portal.teams.models import Role
from portal.teams.permissions import WRITE_ROLES, is_superuser, role_in

DENIED_UPLOAD = "Only leads and members of the team can attach files."
DENIED_DELETE = "Only the person who attached the file or the team lead can delete it."


def can_upload(user, task: Task) -> bool:
    return task_perms.can_edit_task(user, task)


def can_download(user, attachment: Attachment) -> bool:
    return is_superuser(user) or role_in(user, attachment.task.team_id) is not None


def can_delete(user, attachment: Attachment, team_id: int | None = None) -> bool:
    if is_superuser(user):
        return True
    role = role_in(user, team_id if team_id is not None else attachment.task.team_id)
    if role == Role.LEAD:
        return True
    return role in WRITE_ROLES and attachment.uploaded_by_id == user.pk
