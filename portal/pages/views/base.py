"""What every team page shares: the admin's look, the header, and the team look-up."""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from portal.notifications.selectors import unread_count
from portal.tasks import permissions as task_perms
from portal.tasks.models import Task
from portal.tasks.selectors import SEARCH_MAX_LENGTH, tasks_visible_to
from portal.teams.models import Team
from portal.teams.permissions import can_use_portal, role_in
from portal.teams.selectors import teams_visible_to

# The header lists this many teams; administrators may see many more (all of them on /teams/).
HEADER_TEAMS = 8
NOT_FOUND = "No such page in your teams."
DENIED = "You may not do this here."


def page_view(view):
    """Sign-in required; a rule the domain refuses (PermissionDenied) answers 403 with its
    message: plain text for htmx (the page shows it in its status line), a page otherwise."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            message = str(exc) or DENIED
            if getattr(request, "htmx", False):
                return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
            return render_page(
                request,
                "teams/denied.html",
                {"message": message, "title": "Not allowed"},
                status=403,
            )

    return wrapped


def bad_request(message: str) -> HttpResponse:
    """400 with the message as plain text (htmx requests show it in the status line)."""
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def team_or_404(user, slug: str) -> Team:
    """The team `slug` if `user` may see it; outsiders get 404, never 403."""
    team = teams_visible_to(fetched_by=user).filter(slug=slug).first()
    if team is None:
        raise Http404(NOT_FOUND)
    return team


def task_or_404(user, team: Team, number: int) -> Task:
    """Task `number` of `team` (OPS-42 is number 42 of OPS), archived or not."""
    task = tasks_visible_to(fetched_by=user).with_overdue().filter(team=team, number=number).first()
    if task is None:
        raise Http404(NOT_FOUND)
    return task


def team_task_or_404(user, slug: str, number: int, *, rule=None) -> tuple[Team, Task]:
    """The team `slug` and its task `number` as `user` may see them (404 otherwise). With a
    `rule` of `portal.tasks.permissions` (`EDIT_TASK`, `COMMENT`), a person who may not gets
    403 with the rule's message, before the request's input is read."""
    team = team_or_404(user, slug)
    task = task_or_404(user, team, number)
    if rule is not None:
        task_perms.require(rule, user, task)
    return team, task


def team_context(user, team: Team) -> dict:
    """The role-dependent switches a team page's template needs (no queries: roles are cached)."""
    role = role_in(user, team.pk)
    return {
        "team": team,
        "role": role,
        "can_write": task_perms.can_create_task(user, team),
        "can_use_admin": can_use_portal(user),
    }


def render_page(
    request: HttpRequest,
    template: str,
    context: dict | None = None,
    *,
    status: int = 200,
    teams: list[Team] | None = None,
) -> HttpResponse:
    """A whole page: the admin site's look (title, colours, theme) plus the header.

    `teams`: the person's visible teams when the page has already read them all (no query).
    """
    user = request.user
    if teams is None:
        teams = list(teams_visible_to(fetched_by=user)[: HEADER_TEAMS + 1])
    # The admin's look (title, colours, theme), not its navigation: the page has its own.
    page = admin.site.look_context(request)
    page.update(
        {
            "header_teams": teams[:HEADER_TEAMS],
            # Where the "c" shortcut may create a task off a team's pages (roles are cached).
            "new_task_teams": [
                t for t in teams[:HEADER_TEAMS] if task_perms.can_create_task(user, t)
            ],
            "more_teams": len(teams) > HEADER_TEAMS,
            "can_use_admin": can_use_portal(user),
            "search_max_length": SEARCH_MAX_LENGTH,
            # The header's bell: one COUNT on the (user, read_at) index.
            "unread_notifications": unread_count(user),
        }
    )
    page.update(context or {})
    return render(request, template, page, status=status)


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back to after a form post without htmx: `next` if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
