"""Calendar feeds: `/feeds/<token>/my.ics` (my tasks with a due date, across my teams) and
`/feeds/<token>/team/<slug>.ics` (a team of mine). The token is the sign-in: a wrong or revoked
one, an inactive person or a team they may not see answers 404."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from portal.accounts.selectors import feed_owner
from portal.pages.feeds import calendar_bytes
from portal.tasks.selectors import tasks_for_feed
from portal.teams.selectors import teams_visible_to

CONTENT_TYPE = "text/calendar; charset=utf-8"
NO_FEED = "No such calendar feed."


def _owner(token: str):
    user = feed_owner(token)
    if user is None:
        raise Http404(NO_FEED)
    return user


def _respond(request, name: str, tasks, filename: str) -> HttpResponse:
    host = request.get_host().split(":")[0]

    def url_of(task):
        return request.build_absolute_uri(reverse("pages:task", args=[task.team.slug, task.number]))

    body = calendar_bytes(name, tasks, host=host, url_of=url_of)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def my_feed(request, token: str):
    user = _owner(token)
    return _respond(request, "My tasks", tasks_for_feed(fetched_by=user), "my-tasks.ics")


@require_safe
def team_feed(request, token: str, slug: str):
    user = _owner(token)
    team = teams_visible_to(fetched_by=user).filter(slug=slug).first()
    if team is None:
        raise Http404(NO_FEED)
    tasks = tasks_for_feed(fetched_by=user, team=team)
    return _respond(request, f"{team.name} tasks", tasks, f"{team.slug}-tasks.ics")
