"""Permission checks the API makes before reading a payload; the services decide the rest.

Every write goes through a service that checks the same rule, so these entries exist only
where checking first changes the answer: for an action that takes a payload, a person who may
not make it gets 403 with the domain's message at once, not 400 about the payload's fields
(and then 403 after fixing them). Actions without a payload (archive, unarchive, delete) are
left to the services alone. Reads are scoped by the selectors (outsiders get 404 first).
`tests/api/test_permissions_first.py` checks each entry against that difference.
"""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.tasks import permissions as task_perms
from portal.teams import permissions as perms

TASK_RULES = {
    "update": task_perms.EDIT_TASK,
    "partial_update": task_perms.EDIT_TASK,
    "assign": task_perms.EDIT_TASK,
    "comments": task_perms.COMMENT,
}

TEAM_RULES = {
    "update": (perms.can_manage_team, perms.DENIED_MANAGE_TEAM),
    "partial_update": (perms.can_manage_team, perms.DENIED_MANAGE_TEAM),
    "members": (perms.can_manage_team, perms.DENIED_MANAGE_TEAM),
    "member": (perms.can_manage_team, perms.DENIED_MANAGE_TEAM),
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
