"""Search from the header of every team page: a key jumps to its task, words list matches."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from portal.tasks.due import due_words
from portal.tasks.keys import parse_task_key, task_key
from portal.tasks.models import Status
from portal.tasks.selectors import SEARCH_MAX_LENGTH, task_at_key, task_search_by_team

from .base import page_view, render_page

SEARCH_EMPTY = "Type a task key such as OPS-42 to open it, or words from a title or description."
SEARCH_TOO_LONG = f"Search for at most {SEARCH_MAX_LENGTH} characters."
SEARCH_REFUSED = "This search holds characters that cannot be searched for. Type it again."
NO_KEY = "No task {key} in your teams."
NOTHING_FOUND = "No task in your teams has these words in its title or description."
MORE_TEAMS = "More teams have matches than fit here: add words to narrow the search."
STATUS_LABELS = dict(Status.choices)


def _refusal(text: str) -> str:
    """Why `text` cannot be searched for, or "" (checked before any query)."""
    if not text:
        return SEARCH_EMPTY
    if len(text) > SEARCH_MAX_LENGTH:
        return SEARCH_TOO_LONG
    return ""


def _shown(groups: list[dict], text: str) -> list[dict]:
    """Each group with its rows' status and due day in words and its list's address."""
    query = urlencode({"search": text})
    for group in groups:
        slug = group["team"]["slug"]
        group["list_url"] = f"{reverse('pages:task_list', args=[slug])}?{query}"
        for row in group["tasks"]:
            row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
            row["due"] = due_words(row["due_date"], row["due_day"], row["is_overdue"])
    return groups


@page_view
@require_GET
def search(request):
    """`/search/?q=`: a visible task's key (any case) opens the task; other text lists the
    matching tasks of my teams, a few per team, each team linking to its filtered list."""
    user = request.user
    text = request.GET.get("q", "").strip()
    context = {
        "title": "Search",
        "search_query": text,
        "nothing_found": NOTHING_FOUND,
        "more_teams_text": MORE_TEAMS,
    }
    message = _refusal(text)
    if not message:
        key = parse_task_key(text)
        found = task_at_key(fetched_by=user, text=text) if key else None
        if found is not None:
            return redirect("pages:task", *found)
        if key:
            context["notice"] = NO_KEY.format(key=task_key(*key))
        try:
            groups, more_teams = task_search_by_team(fetched_by=user, text=text)
        except ValidationError:  # what the filter set refuses (NUL characters)
            message = SEARCH_REFUSED
        else:
            context.update(groups=_shown(groups, text), more_teams=more_teams)
            context["searched"] = True
            context["title"] = f"Search: {text}"
    context["message"] = message
    status = 400 if message and text else 200
    return render_page(request, "teams/search.html", context, status=status)
