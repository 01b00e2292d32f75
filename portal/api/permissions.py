"""DRF permission classes: each one only asks the role functions in portal.teams.permissions.

Reads are scoped by the selectors (outsiders get 404 before these run); these classes answer
403 with the domain's message when a person who can see something may not change it.
"""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.tasks import permissions as task_perms
from portal.teams import permissions as perms

TASK_RULES = {
    "update": (task_perms.can_edit_task, task_perms.DENIED_EDIT_TASK),
    "partial_update": (task_perms.can_edit_task, task_perms.DENIED_EDIT_TASK),
    "assign": (task_perms.can_edit_task, task_perms.DENIED_EDIT_TASK),
    "comments": (task_perms.can_comment, task_perms.DENIED_COMMENT),
    "archive": (task_perms.can_archive_task, task_perms.DENIED_ARCHIVE_TASK),
    "unarchive": (task_perms.can_archive_task, task_perms.DENIED_ARCHIVE_TASK),
    "destroy": (task_perms.can_delete_task, task_perms.DENIED_DELETE_TASK),
}

TEAM_RULES = {
    "update": (perms.can_manage_team, perms.DENIED_MANAGE_TEAM),
    "partial_update": (perms.can_manage_team, perms.DENIED_MANAGE_TEAM),
    "members": (perms.can_manage_team, perms.DENIED_MANAGE_TEAM),
    "member": (perms.can_manage_team, perms.DENIED_MANAGE_TEAM),
    "destroy": (perms.can_delete_team, perms.DENIED_SUPERUSER),
}


class _RulePermission(BasePermission):
    rules: dict = {}

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        rule = self.rules.get(view.action)
        if rule is None:
            return True
        check, message = rule
        if not check(request.user, obj):
            raise PermissionDenied(message)
        return True


class TaskRules(_RulePermission):
    rules = TASK_RULES


class TeamRules(_RulePermission):
    rules = TEAM_RULES

    def has_permission(self, request, view):
        if view.action == "create" and not perms.can_create_team(request.user):
            raise PermissionDenied(perms.DENIED_SUPERUSER)
        return True


class TagRules(BasePermission):
    def has_permission(self, request, view):
        if request.method == "POST" and not task_perms.can_create_tag(request.user):
            raise PermissionDenied(task_perms.DENIED_TAG)
        return True
