"""The notifications app listens to the outbox's dispatch (portal.events) and to membership
changes (portal.teams)."""

from portal.events.services import on_dispatch
from portal.notifications.services import notify_events, watches_drop_for_team
from portal.teams.services import on_membership_change

on_dispatch(notify_events)


@on_membership_change
def _stop_watching(*, actor, membership, removed: bool) -> None:
    """Someone removed from a team stops watching its tasks (in the removal's transaction)."""
    if removed:
        watches_drop_for_team(team_id=membership.team_id, user_id=membership.user_id)
