"""Saved views on the task list, the board and the calendars: the header's menu and the
team's default (docs/team-pages.md#saved-views).

A page gains one decorator and one call:

    @saved_views(PageKind.LIST)          # opens the team's default when the address is bare
    def task_list_page(request, slug): ...
        context.update(saved_views_context(request, team))

and its template one line, `{% include "teams/_saved_views.html" %}`. The menu's views are read
once per page (one query), by the decorator or by the call.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from portal.savedviews import permissions as view_perms
from portal.savedviews.models import PageKind, SavedView
from portal.savedviews.params import clean_params
from portal.savedviews.selectors import page_views
from portal.teams.models import Team

# The address parameter that names the saved view a page shows; "none": no view, and no
# default (the way to the unfiltered page when the team has a default).
SAVED = "saved"
NO_VIEW = "none"
PAGE_URLS = {
    PageKind.LIST: ("pages:task_list", "pages:my_work"),
    PageKind.BOARD: ("pages:board", None),
    PageKind.CALENDAR: ("pages:calendar", "pages:my_calendar"),
}


def page_url(kind: str, team: Team | None = None, slug: str = "") -> str:
    team_name, mine = PAGE_URLS[kind]
    slug = team.slug if team is not None else slug
    return reverse(team_name, args=[slug]) if slug else reverse(mine)


def view_url(view: SavedView, base: str = "") -> str:
    """The page as the view shows it: its parameters, and its id to mark it in the menu."""
    query = urlencode({**view.params, SAVED: view.pk})
    return f"{base or page_url(view.kind, view.team)}?{query}"


def saved_views(kind: str):
    """The page shows views of `kind`; opened with no parameters at all, a team's page goes to
    the team's default view (a redirect, so the address says what is shown)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            slug = kwargs.get("slug", "")
            views = None
            if request.method == "GET" and not request.GET and slug:
                views = page_views(fetched_by=request.user, team=None, kind=kind, team_slug=slug)
                default = next((v for v in views if v.is_default), None)
                if default is not None:
                    return redirect(view_url(default, page_url(kind, slug=slug)))
            request.saved_views = (kind, views)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def saved_views_context(request, team: Team | None) -> dict:
    """What `teams/_saved_views.html` shows: the person's and the team's views of this page
    (the current one marked), the form saving the page's filters, and what may be changed."""
    user = request.user
    kind, views = request.saved_views
    if views is None:
        views = page_views(fetched_by=user, team=team, kind=kind)
    base = page_url(kind, team)
    shown = clean_params(kind, request.GET)
    named = request.GET.get(SAVED, "")
    matching = [v for v in views if v.params == shown]
    current = next((v for v in matching if str(v.pk) == named), None)
    if current is None and named != NO_VIEW and matching:
        current = matching[0]
    rows = [
        {
            "view": v,
            "url": view_url(v, base),
            "current": v == current,
            "mine": v.owner_id == user.pk,
        }
        for v in views
    ]
    can_share = view_perms.can_share_views(user, team)
    return {
        "saved_views": {
            "kind": kind,
            "label": PageKind(kind).label,
            "mine": [row for row in rows if row["mine"]],
            "shared": [row for row in rows if not row["mine"]],
            "current": current,
            "none_url": f"{base}?{SAVED}={NO_VIEW}",
            "none_current": current is None,
            "has_default": any(v.is_default for v in views),
            "query": urlencode(shown),
            "create_url": reverse("pages:saved_view_create", args=[team.slug])
            if team is not None
            else reverse("pages:my_saved_view_create"),
            "can_share": can_share,
            "can_change": current is not None and view_perms.can_change_view(user, current),
            "page_url": request.get_full_path(),
            "name_max": SavedView._meta.get_field("name").max_length,
        }
    }
