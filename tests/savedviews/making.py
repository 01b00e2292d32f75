"""Saved views for tests: a private one of `member` and a shared default one of `lead`."""

from portal.savedviews.services import saved_view_create


def menu_views(team, member, lead, kind: str) -> list:
    """Two views on a page of `team`: the member's own (private) and the lead's shared default
    (`team` None: My work, the member's two private views)."""
    mine = saved_view_create(
        actor=member, team=team, kind=kind, name="Mine", params={"priority": "urgent"}
    )
    if team is None:
        other = saved_view_create(
            actor=member, team=None, kind=kind, name="Everyone's", params={"assignee": "anyone"}
        )
    else:
        other = saved_view_create(
            actor=lead, team=team, kind=kind, name="Team open", params={"open": "true"}, shared=True
        )
    return [mine, other]
