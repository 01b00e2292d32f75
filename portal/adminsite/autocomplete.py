"""Which task form an autocomplete request comes from, so its choices follow that task's team."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from portal.tasks.selectors import tasks_visible_to
from portal.teams.selectors import teams_visible_to

TASK_CHANGE_RE = re.compile(r"/tasks/task/(\d{1,18})/change/")


def task_team_for_autocomplete(request) -> int | None:
    """The team of the task form that asked for autocomplete choices, if it can be told.

    Django's autocomplete requests carry the field but not the object, so the page they come
    from (the Referer) tells which task, or which ?team= an add form was opened with.
    """
    referer = request.headers.get("referer", "")
    match = TASK_CHANGE_RE.search(referer)
    if match:
        visible = tasks_visible_to(request.user).filter(pk=match.group(1))
        return visible.values_list("team_id", flat=True).first()
    team = parse_qs(urlparse(referer).query).get("team", [None])[0]
    if not (team and team.isascii() and team.isdigit() and len(team) < 19):
        return None
    # Only one of the person's own teams counts: a forged id must reveal nothing.
    return teams_visible_to(request.user).filter(pk=int(team)).values_list("pk", flat=True).first()


def is_autocomplete(request, app_label: str, model_name: str, field: str) -> bool:
    """Whether this is Django's autocomplete request for `app_label.model_name.field`."""
    return (
        request.path.endswith("/autocomplete/")
        and request.GET.get("app_label") == app_label
        and request.GET.get("model_name") == model_name
        and request.GET.get("field_name") == field
    )
