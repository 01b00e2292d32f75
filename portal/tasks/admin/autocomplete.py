"""Which team a task form's autocomplete request is about, so its choices follow that team."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from portal.core.validators import as_id
from portal.tasks.selectors import tasks_visible_to
from portal.teams.selectors import teams_visible_to

TASK_CHANGE_RE = re.compile(r"/tasks/task/(\d{1,18})/change/")
# The task form's pickers that offer only the chosen team's people or tasks. The admin's
# script (static/portal/admin.js) clears them when the team changes.
FOLLOWS_TEAM_ATTR = "data-follows-team"


def _own_team(user, value: str | None) -> int | None:
    """`value` as one of the person's own teams, or None: a forged id must reveal nothing."""
    team_id = as_id(value)
    if team_id is None:
        return None
    return teams_visible_to(fetched_by=user).filter(pk=team_id).values_list("pk", flat=True).first()


def task_team_for_autocomplete(request) -> int | None:
    """The team of the task form that asked for autocomplete choices, if it can be told.

    Django's autocomplete requests carry the field but not the form's values. On a new task
    the admin's script adds the team chosen in the form (`team=`), so the choices change with
    it; otherwise the page the request comes from (the Referer) tells which task is edited
    (its team is fixed), or which ?team= an add form was opened with.
    """
    if "team" in request.GET:
        return _own_team(request.user, request.GET["team"])
    referer = request.headers.get("referer", "")
    match = TASK_CHANGE_RE.search(referer)
    if match:
        visible = tasks_visible_to(fetched_by=request.user).filter(pk=match.group(1))
        return visible.values_list("team_id", flat=True).first()
    return _own_team(request.user, parse_qs(urlparse(referer).query).get("team", [None])[0])


def is_autocomplete(request, app_label: str, model_name: str, field: str) -> bool:
    """Whether this is Django's autocomplete request for `app_label.model_name.field`."""
    return (
        request.path.endswith("/autocomplete/")
        and request.GET.get("app_label") == app_label
        and request.GET.get("model_name") == model_name
        and request.GET.get("field_name") == field
    )
