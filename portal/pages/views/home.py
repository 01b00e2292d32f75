"""The front door (/) and the list of my teams (/teams/)."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect

from portal.reports.selectors import team_counts
from portal.tasks.querysets import DUE_SOON_DAYS
from portal.tasks.selectors import open_tasks_assigned_by_team
from portal.teams.permissions import is_superuser, team_ids_for
from portal.teams.selectors import teams_visible_to

from .base import page_view, render_page

# Open tasks of mine listed per team on /teams/ (the team's list shows them all).
MY_TASKS_PER_TEAM = 5


def front_door(request):
    """Signed-in people go to their teams (an administrator without a team to the admin);
    everyone else to the sign-in page."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if is_superuser(user) and not team_ids_for(user):
        return redirect("admin:index")
    return redirect("pages:teams")


@page_view
def team_index(request):
    user = request.user
    teams = list(teams_visible_to(fetched_by=user))
    counts = team_counts(fetched_by=user)
    mine = open_tasks_assigned_by_team(fetched_by=user, per_team=MY_TASKS_PER_TEAM)
    empty = {"open": 0, "overdue": 0, "due_soon": 0}
    nothing = {"count": 0, "tasks": []}
    rows = []
    for team in teams:
        my_tasks = mine.get(team.pk, nothing)
        rows.append(
            {
                "team": team,
                "counts": {**counts.get(team.pk, empty), "mine": my_tasks["count"]},
                "my_tasks": my_tasks["tasks"],
            }
        )
    # The links say what the counts counted, in the task filter set's own words.
    context = {
        "rows": rows,
        "title": "My teams",
        "due_soon_query": urlencode({"due_within": DUE_SOON_DAYS}),
        "open_query": urlencode({"open": "true"}),
    }
    return render_page(request, "teams/index.html", context, teams=teams)
