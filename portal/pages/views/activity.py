"""The team's recent changes and comments, newest first, from the history records."""

from __future__ import annotations

from django.views.decorators.http import require_GET

from portal.core.parsing import parse_moment
from portal.core.validators import as_id
from portal.tasks.selectors import ACTIVITY_PAGE, team_activity
from portal.tasks.selectors.activity import activity_kinds

from .base import page_view, render_page, team_context, team_or_404

CURSOR_INVALID = "That page of the activity no longer exists; here is the latest."


def encode_cursor(cursor) -> str:
    moment, kind, history_id = cursor
    return f"{moment.isoformat()}~{kind}~{history_id}"


def decode_cursor(text: str):
    """(moment, kind, id) from an "older" link, or None when it is not one of ours."""
    parts = (text or "").split("~")
    if len(parts) != 3 or len(text) > 80:
        return None
    moment_text, kind, history_id = parts
    moment = parse_moment(moment_text, offset_required=True)
    if (
        moment is None
        or kind not in {str(k) for k in activity_kinds()}
        or as_id(history_id) is None
    ):
        return None
    return moment, int(kind), int(history_id)


@page_view
@require_GET
def activity(request, slug: str):
    user = request.user
    team = team_or_404(user, slug)
    raw = request.GET.get("before")
    before = decode_cursor(raw) if raw else None
    error = CURSOR_INVALID if raw and before is None else ""
    entries, cursor = team_activity(fetched_by=user, team=team, before=before, size=ACTIVITY_PAGE)
    context = team_context(user, team)
    context.update(
        {
            "section": "activity",
            "title": f"{team.name} activity",
            "entries": entries,
            "older": encode_cursor(cursor) if cursor else "",
            "paged": before is not None,
            "error": error,
        }
    )
    return render_page(request, "teams/activity.html", context)
