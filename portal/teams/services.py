"""Every write to teams and memberships, with the role rules and history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from portal.accounts.models import User
from portal.core.concurrency import lock_row
from portal.core.hooks import Hook
from portal.core.models import save_checked
from portal.events import kinds
from portal.events.services import record_event
from portal.teams import permissions as perms
from portal.teams.models import Membership, Role, Team

LAST_LEAD = "A team needs at least one lead: make someone else lead first."
TEAM_NOT_EMPTY = "This team still has tasks; archive or move them before deleting the team."
TEAM_FIELDS = frozenset({"name", "slug", "description", "key", "time_zone"})


# --- what other apps do when a membership changes --------------------------------------------
# Memberships change only here; an app whose data depends on them (the tasks app takes a person
# made viewer, or removed, off the team's tasks) registers a listener once, at start-up, and
# every door that changes a membership gets its rule. Listeners run inside the change's
# transaction, after the change, with the membership's row and its team's row locked: what they
# do commits or rolls back with it.
# Likewise for a team's own fields: the tasks app moves day-only due dates to the day ends of a
# team's new time zone.
membership_changed = Hook("membership changed")  # listener(actor=, membership=, removed=)
team_changed = Hook("team changed")  # listener(actor=, team=, changed=<set of field names>)
on_membership_change = membership_changed.register
on_team_change = team_changed.register


def _membership_changed(actor: User, membership: Membership, *, removed: bool) -> None:
    membership_changed.send(actor=actor, membership=membership, removed=removed)


def _membership_event(kind: str, actor: User, membership: Membership, **extra: Any) -> None:
    payload = {
        "team": membership.team.key,
        "user": membership.user_id,
        "username": membership.user.username,
        "role": membership.role,
        **extra,
    }
    record_event(kind, actor=actor, team_id=membership.team_id, payload=payload)


def _team_event(kind: str, actor: User, team: Team, pk: int, **extra: Any) -> None:
    payload = {"key": team.key, "name": team.name, **extra}
    record_event(kind, actor=actor, team_id=pk, payload=payload)


def _save(instance, actor: User) -> None:
    instance.full_clean()
    instance._history_user = actor
    # Two people adding the same member (or naming two teams alike) at once: the loser gets
    # the unique rule's message, not a database error. An existing row (locked by the caller)
    # is only ever UPDATEd: a row deleted meanwhile must not come back.
    save_checked(instance, force_update=not instance._state.adding)


@transaction.atomic
def team_create(
    *,
    actor: User,
    name: str,
    key: str,
    slug: str = "",
    description: str = "",
    time_zone: str = "",
) -> Team:
    if not perms.can_create_team(actor):
        raise PermissionDenied(perms.DENIED_SUPERUSER)
    team = Team(
        name=(name or "").strip(),
        key=(key or "").strip().upper(),
        slug=slug or slugify(name or ""),
        description=description,
    )
    if time_zone:
        team.time_zone = time_zone
    _save(team, actor)
    _team_event(kinds.TEAM_CREATED, actor, team, team.pk)
    return team


@transaction.atomic
def team_update(*, actor: User, team: Team, **changes: Any) -> Team:
    if not perms.can_manage_team(actor, team):
        raise PermissionDenied(perms.DENIED_MANAGE_TEAM)
    unknown = set(changes) - TEAM_FIELDS
    if unknown:
        raise TypeError(f"Unknown team fields: {', '.join(sorted(unknown))}.")
    lock_row(team)
    if changes.get("key"):
        changes["key"] = changes["key"].strip().upper()
    changed = {name for name, value in changes.items() if getattr(team, name) != value}
    before = {name: getattr(team, name) for name in changed}
    for name, value in changes.items():
        setattr(team, name, value)
    _save(team, actor)
    if changed:
        team_changed.send(actor=actor, team=team, changed=changed)
        diff = {name: [before[name], getattr(team, name)] for name in sorted(changed)}
        _team_event(kinds.TEAM_UPDATED, actor, team, team.pk, changes=diff)
    return team


@transaction.atomic
def team_delete(*, actor: User, team: Team) -> None:
    if not perms.can_delete_team(actor, team):
        raise PermissionDenied(perms.DENIED_SUPERUSER)
    lock_row(team, refresh=False)
    if team.tasks.exists():
        raise ValidationError(TEAM_NOT_EMPTY)
    team._history_user = actor
    pk = team.pk
    team.delete()
    _team_event(kinds.TEAM_DELETED, actor, team, pk)


def ensure_a_lead(*, actor: User, roles) -> None:
    """A team keeps at least one lead, unless an administrator decides otherwise.

    `roles` are the roles the team would have after a change (for forms that change several
    memberships at once).
    """
    if not perms.is_superuser(actor) and Role.LEAD not in set(roles):
        raise ValidationError({"role": LAST_LEAD})


def _lock_membership(membership: Membership) -> None:
    """Serialise the changes of one team's memberships, then re-read `membership` as stored.

    Two leads demoting each other at the same moment each see the other still lead unless the
    second waits for the first: the team's row lock makes them take turns, so "a team keeps a
    lead" is judged on committed roles. A membership deleted meanwhile raises RowGone (404).
    """
    lock_row(membership.team, refresh=False)
    lock_row(membership)


def _other_leads(membership: Membership) -> bool:
    return (
        Membership.objects.filter(team_id=membership.team_id, role=Role.LEAD)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_add(*, actor: User, team: Team, user: User, role: str = Role.MEMBER) -> Membership:
    if not perms.can_manage_team(actor, team):
        raise PermissionDenied(perms.DENIED_MANAGE_TEAM)
    membership = Membership(team=team, user=user, role=role)
    _save(membership, actor)
    perms.forget_roles(user)
    _membership_event(kinds.MEMBERSHIP_ADDED, actor, membership)
    return membership


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    if not perms.can_manage_team(actor, membership.team):
        raise PermissionDenied(perms.DENIED_MANAGE_TEAM)
    _lock_membership(membership)
    if membership.role == role:
        return membership
    _keep_a_lead(actor, membership)
    old_role, membership.role = membership.role, role
    _save(membership, actor)
    perms.forget_roles(membership.user)
    _membership_changed(actor, membership, removed=False)
    _membership_event(kinds.MEMBERSHIP_CHANGED, actor, membership, old_role=old_role)
    return membership


def _keep_a_lead(actor: User, membership: Membership) -> None:
    """A team keeps at least one lead: its last lead may not step down or leave (superusers may)."""
    if (
        membership.role == Role.LEAD
        and not perms.is_superuser(actor)
        and not _other_leads(membership)
    ):
        raise ValidationError({"role": LAST_LEAD})


@transaction.atomic
def membership_delete(*, actor: User, membership: Membership) -> None:
    """Remove someone from a team (team lead; a team keeps a lead).

    The listeners take them off what they held in the team (the tasks app: its tasks).
    """
    if not perms.can_manage_team(actor, membership.team):
        raise PermissionDenied(perms.DENIED_MANAGE_TEAM)
    _lock_membership(membership)
    _keep_a_lead(actor, membership)
    membership._history_user = actor
    membership.delete()
    perms.forget_roles(membership.user)
    _membership_changed(actor, membership, removed=True)
    _membership_event(kinds.MEMBERSHIP_REMOVED, actor, membership)
