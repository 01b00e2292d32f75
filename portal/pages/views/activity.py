"""The team's recent changes and comments, newest first, from the history records."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.tasks.selectors import ACTIVITY_PAGE, team_activity

from .base import page_view, render_page, team_context, team_or_404

CURSOR_INVALID = "That page of the activity no longer exists; here is the latest."
MAX_ID = 2**63 - 1


def encode_cursor(cursor) -> str:
    moment, kind, history_id = cursor
    return f"{moment.isoformat()}~{kind}~{history_id}"


def decode_cursor(text: str):
    """(moment, kind, id) from an "older" link, or None when it is not one of ours."""
    parts = (text or "").split("~")
    if len(parts) != 3 or len(text) > 80:
        return None
    moment_text, kind, history_id = parts
    try:
        moment = datetime.fromisoformat(moment_text)
        # The database stores UTC: a moment outside what UTC can express is not ours.
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    if timezone.is_naive(moment) or not kind.isdigit() or int(kind) not in (1, 2):
        return None
    if not (history_id.isascii() and history_id.isdigit()) or not 0 < int(history_id) <= MAX_ID:
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
