"""Reads of saved views: the views a person may see, a page's menu, a view's task filters."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.core.validators import as_id
from portal.savedviews.models import SavedView
from portal.savedviews.params import view_filters
from portal.teams.models import Team
from portal.teams.permissions import in_my_teams

VIEW_UNKNOWN = "No saved view with this id among yours and your teams' shared ones."


def saved_views_visible_to(*, fetched_by) -> QuerySet[SavedView]:
    """The person's own views of My work and of their teams, and their teams' shared views
    (administrators: every team's shared views; private views stay their owners')."""
    user = fetched_by
    if not (user and user.is_authenticated and user.is_active):
        return SavedView.objects.none()
    mine_or_shared = Q(owner=user) | Q(shared=True)
    in_teams = Q(team__isnull=False) & in_my_teams(user) & mine_or_shared
    return SavedView.objects.filter(Q(owner=user, team__isnull=True) | in_teams).select_related(
        "team", "owner"
    )


def page_views(*, fetched_by, team: Team | None, kind: str, team_slug: str = "") -> list:
    """The views a page's menu lists (one query): the person's own first, then the team's
    shared ones, each by name. `team_slug` instead of `team`: before the page reads its team
    (the page's own check answers outsiders, who find nothing here)."""
    views = saved_views_visible_to(fetched_by=fetched_by).filter(kind=kind)
    if team is not None:
        views = views.filter(team=team)
    elif team_slug:
        views = views.filter(team__slug=team_slug)
    else:
        views = views.filter(team__isnull=True)
    rows = list(views.order_by("name", "pk"))
    return sorted(rows, key=lambda view: view.owner_id != fetched_by.pk)


def saved_view_for(*, fetched_by, view_id) -> SavedView | None:
    """The view `view_id` names if the person may see it (a bad id finds nothing)."""
    found = as_id(str(view_id).strip()) if view_id is not None else None
    if found is None:
        return None
    return saved_views_visible_to(fetched_by=fetched_by).filter(pk=found).first()


def saved_view_task_filters(view: SavedView) -> dict[str, str]:
    """The task filter set's values the view stands for, its team fixed."""
    filters = view_filters(view.params, on_my_work=view.team_id is None)
    if view.team_id is not None:
        filters["team"] = str(view.team_id)
    return filters
