"""Who may see, save, change, share saved views and make one a team's default.

A private view is its owner's alone (administrators included); a shared view is seen by the
team's people. Sharing and a team's default are the team's leads' business (and
administrators'). The owner renames and deletes their views; leads also the team's shared ones.
Rules read the roles loaded once per request (`portal.teams.permissions.roles_for`).
"""

from __future__ import annotations

from portal.savedviews.models import SavedView
from portal.teams import permissions as perms
from portal.teams.models import Role, Team

DENIED_SHARE = "Only the team's leads may share views with the team or choose its default."
DENIED_CHANGE = "Only the view's owner (and the team's leads, for a shared view) may change it."
DENIED_TEAM = "You can save views only of your teams' pages."


def _in_team(user, team_id: int | None) -> bool:
    return perms.is_superuser(user) or perms.role_in(user, team_id) is not None


def _leads(user, team_id: int | None) -> bool:
    return team_id is not None and (
        perms.is_superuser(user) or perms.role_in(user, team_id) == Role.LEAD
    )


def can_see_view(user, view: SavedView) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if view.team_id is None:
        return view.owner_id == user.pk
    return _in_team(user, view.team_id) and (view.owner_id == user.pk or view.shared)


def can_save_view(user, team: Team | None) -> bool:
    """Save a private view of a page the person sees (viewers too: it changes nothing else)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return team is None or _in_team(user, team.pk)


def can_share_views(user, team: Team | None) -> bool:
    """Share a view with the team, stop sharing it, make it the team's default."""
    return team is not None and _leads(user, team.pk)


def can_change_view(user, view: SavedView) -> bool:
    """Rename or delete the view."""
    if not can_see_view(user, view):
        return False
    if view.owner_id == user.pk:
        return True
    return view.shared and _leads(user, view.team_id)
