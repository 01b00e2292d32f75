"""Writes of saved views: create, rename, change filters, share, make a team's default,
delete. Keyword-only, one transaction each, `full_clean()` before saving; refusals are
PermissionDenied (a rule) or ValidationError (a value), with the messages below."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.core.concurrency import lock_row
from portal.core.models import save_checked
from portal.savedviews import permissions as view_perms
from portal.savedviews.models import MY_WORK_PRIVATE, PageKind, SavedView
from portal.savedviews.params import checked_params
from portal.teams.models import Team

KIND_INVALID = "Choose one of: " + ", ".join(PageKind.values) + "."
NO_MY_WORK_BOARD = "My work has no board: save a view of a team's board."
CHANGES = frozenset({"name", "params", "shared", "is_default"})
UNKNOWN_CHANGE = "A saved view's {name} cannot be changed."

_UNSET = object()


def _clean_name(name) -> str:
    return name.strip() if isinstance(name, str) else name


def _lock_team(team_id: int | None) -> None:
    """Defaults of a team's page take turns on the team's row (the portal's first lock)."""
    if team_id is not None:
        lock_row(Team(pk=team_id), refresh=False)


def _clear_default(view: SavedView) -> None:
    SavedView.objects.filter(team_id=view.team_id, kind=view.kind, is_default=True).exclude(
        pk=view.pk
    ).update(is_default=False)


@transaction.atomic
def saved_view_create(
    *,
    actor,
    team: Team | None,
    kind: str,
    name: str,
    params=None,
    shared: bool = False,
    is_default: bool = False,
) -> SavedView:
    """Save a page's filters under a name; `team` None is My work (private only)."""
    if not view_perms.can_save_view(actor, team):
        raise PermissionDenied(view_perms.DENIED_TEAM)
    if kind not in PageKind.values:
        raise ValidationError({"kind": [KIND_INVALID]})
    if team is None and kind == PageKind.BOARD:
        raise ValidationError({"kind": [NO_MY_WORK_BOARD]})
    shared = bool(shared or is_default)
    if shared and team is None:
        raise ValidationError({"shared": [MY_WORK_PRIVATE]})
    if shared and not view_perms.can_share_views(actor, team):
        raise PermissionDenied(view_perms.DENIED_SHARE)
    view = SavedView(
        owner=actor,
        team=team,
        kind=kind,
        name=_clean_name(name),
        params=checked_params(kind, params or {}, user=actor, on_my_work=team is None),
        shared=shared,
        is_default=bool(is_default),
    )
    if view.is_default:
        _lock_team(view.team_id)
        _clear_default(view)
    view.full_clean()
    save_checked(view)
    return view


@transaction.atomic
def saved_view_update(*, actor, view: SavedView, **changes) -> SavedView:
    """Change a view's name or filters (its owner; leads for a shared view), whether it is
    shared and whether it is the team's default (leads). Not shared is never the default;
    the default is always shared."""
    unknown = set(changes) - CHANGES
    if unknown:
        raise ValidationError({name: [UNKNOWN_CHANGE.format(name=name)] for name in unknown})
    _lock_team(view.team_id)
    lock_row(view)
    if not view_perms.can_see_view(actor, view):
        raise PermissionDenied(view_perms.DENIED_CHANGE)
    if ("name" in changes or "params" in changes) and not view_perms.can_change_view(actor, view):
        raise PermissionDenied(view_perms.DENIED_CHANGE)
    sharing = {name: bool(changes[name]) for name in ("shared", "is_default") if name in changes}
    if any(sharing.values()) and view.team_id is None:
        raise ValidationError({"shared": [MY_WORK_PRIVATE]})
    if sharing and not view_perms.can_share_views(actor, view.team):
        raise PermissionDenied(view_perms.DENIED_SHARE)
    if "name" in changes:
        view.name = _clean_name(changes["name"])
    if "params" in changes:
        view.params = checked_params(
            view.kind, changes["params"], user=actor, on_my_work=view.team_id is None
        )
    if sharing.get("is_default"):
        view.shared = view.is_default = True
    elif "shared" in sharing:
        view.shared = sharing["shared"]
        view.is_default = view.is_default and view.shared
    if sharing.get("is_default") is False:
        view.is_default = False
    if view.is_default:
        _clear_default(view)
    view.full_clean()
    save_checked(view, force_update=True)
    return view


def saved_view_rename(*, actor, view: SavedView, name: str) -> SavedView:
    return saved_view_update(actor=actor, view=view, name=name)


def saved_view_share(*, actor, view: SavedView, shared: bool = True) -> SavedView:
    """Share with the team (leads), or stop sharing (which also stops it being the default)."""
    return saved_view_update(actor=actor, view=view, shared=shared)


def saved_view_make_default(*, actor, view: SavedView, default: bool = True) -> SavedView:
    """Make the view its team's default for its page (shared, in place of the previous
    default), or stop it being the default (leads)."""
    return saved_view_update(actor=actor, view=view, is_default=default)


@transaction.atomic
def saved_view_delete(*, actor, view: SavedView) -> None:
    lock_row(view)
    if not view_perms.can_change_view(actor, view):
        raise PermissionDenied(view_perms.DENIED_CHANGE)
    view.delete()
