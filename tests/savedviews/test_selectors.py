"""Which saved views a person sees: their own, and their teams' shared ones."""

from portal.savedviews.models import PageKind
from portal.savedviews.selectors import (
    page_views,
    saved_view_for,
    saved_view_task_filters,
    saved_views_visible_to,
)
from portal.savedviews.services import saved_view_create
from portal.teams.models import Membership
from portal.teams.services import membership_delete

LIST = PageKind.LIST


def names(user) -> set[str]:
    return {v.name for v in saved_views_visible_to(fetched_by=user)}


def test_private_views_are_their_owners_and_shared_ones_the_teams(
    team, other_team, lead, member, member2, viewer, outsider, superuser
):
    saved_view_create(actor=member, team=team, kind=LIST, name="Member's")
    saved_view_create(actor=member, team=None, kind=LIST, name="Member's work")
    saved_view_create(actor=lead, team=team, kind=LIST, name="Team's", shared=True)
    saved_view_create(actor=outsider, team=other_team, kind=LIST, name="Design's", shared=True)
    saved_view_create(actor=outsider, team=other_team, kind=LIST, name="Outsider's")
    assert names(member) == {"Member's", "Member's work", "Team's"}
    assert names(member2) == names(viewer) == {"Team's"}
    assert names(lead) == {"Team's"}  # a lead does not see a member's private views
    assert names(outsider) == {"Design's", "Outsider's"}
    assert names(superuser) == {"Team's", "Design's"}  # private views stay private


def test_someone_who_leaves_the_team_no_longer_sees_its_views(team, lead, member):
    mine = saved_view_create(actor=member, team=team, kind=LIST, name="Mine")
    membership_delete(actor=lead, membership=Membership.objects.get(user=member, team=team))
    member = type(member).objects.get(pk=member.pk)  # roles are cached per user object
    assert names(member) == set()
    assert saved_view_for(fetched_by=member, view_id=mine.pk) is None


def test_a_pages_menu_lists_my_views_first(team, lead, member):
    saved_view_create(actor=lead, team=team, kind=LIST, name="A team view", shared=True)
    saved_view_create(actor=member, team=team, kind=LIST, name="Z mine")
    saved_view_create(actor=member, team=team, kind=PageKind.BOARD, name="On the board")
    shown = page_views(fetched_by=member, team=team, kind=LIST)
    assert [v.name for v in shown] == ["Z mine", "A team view"]
    by_slug = page_views(fetched_by=member, team=None, kind=LIST, team_slug=team.slug)
    assert by_slug == shown


def test_bad_ids_find_nothing(member):
    for raw in ("", "abc", "9" * 40, "-1", "1\x00", None, "0"):
        assert saved_view_for(fetched_by=member, view_id=raw) is None


def test_a_views_task_filters_fix_its_team_and_my_works_assignee(team, member):
    team_view = saved_view_create(
        actor=member, team=team, kind=PageKind.CALENDAR, name="T", params={"view": "week"}
    )
    assert saved_view_task_filters(team_view) == {"team": str(team.pk)}
    mine = saved_view_create(actor=member, team=None, kind=LIST, name="Mine")
    assert saved_view_task_filters(mine) == {"assignee": "me"}
    anyone = saved_view_create(
        actor=member, team=None, kind=LIST, name="All", params={"assignee": "anyone"}
    )
    assert saved_view_task_filters(anyone) == {}
