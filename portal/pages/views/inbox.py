"""The inbox (/inbox/), email choices (/profile/notifications/), one-click unsubscribe and the
Watch button of a task page. Rules and reads live in portal.notifications."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.notifications import services as ns
from portal.notifications.forms import PreferencesForm
from portal.notifications.kinds import Kind
from portal.notifications.selectors import notifications_of, preferences_of

from .base import page_view, render_page, team_task_or_404

INBOX_PAGE = 50
ALL_READ = "All notifications marked read."
WATCHING = "You watch {key}: you hear of its comments and status changes."
NOT_WATCHING = "You no longer watch {key}."
PREFERENCES_SAVED = "Your email choices were saved."


def _page_number(raw: str | None) -> int:
    raw = (raw or "1").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


@page_view
@require_GET
def inbox(request):
    """The person's notifications, newest first: all, or only the unread (`?show=unread`)."""
    show = "unread" if request.GET.get("show") == "unread" else "all"
    rows = notifications_of(fetched_by=request.user, unread=True if show == "unread" else None)
    page = _page_number(request.GET.get("page"))
    start = (page - 1) * INBOX_PAGE
    chunk = list(rows[start : start + INBOX_PAGE + 1])
    context = {
        "notifications": chunk[:INBOX_PAGE],
        "show": show,
        "page": page,
        "next_page": page + 1 if len(chunk) > INBOX_PAGE else None,
        "previous_page": page - 1 if page > 1 else None,
        "section": "inbox",
        "title": "Inbox",
    }
    return render_page(request, "teams/inbox.html", context)


@page_view
@require_GET
def inbox_open(request, notification_id: int):
    """Mark one notification read and go to its task (at the comment)."""
    note = notifications_of(fetched_by=request.user).filter(pk=notification_id).first()
    if note is None:
        raise Http404("No such notification.")
    ns.notification_read(user=request.user, notification=note)
    if note.task is None:  # the task was deleted since
        messages.info(request, f"{note.task_key} was deleted.")
        return redirect("pages:inbox")
    url = reverse("pages:task", args=[note.task.team.slug, note.task.number])
    return redirect(url + (f"#comment-{note.comment_id}" if note.comment_id else ""))


@page_view
@require_POST
def inbox_read_all(request):
    ns.notifications_read_all(user=request.user)
    messages.success(request, ALL_READ)
    return redirect("pages:inbox")


@page_view
@require_POST
def task_watch(request, slug: str, number: int):
    """Watch (`watch=1`) or stop watching (`watch=0`) a task one can see."""
    team, task = team_task_or_404(request.user, slug, number)
    if request.POST.get("watch") == "0":
        ns.watch_remove(actor=request.user, task=task)
        messages.success(request, NOT_WATCHING.format(key=task.key))
    else:
        ns.watch_add(actor=request.user, task=task)
        messages.success(request, WATCHING.format(key=task.key))
    return redirect("pages:task", team.slug, task.number)


@page_view
@require_http_methods(["GET", "POST"])
def preferences(request):
    """How the person hears of each kind by email: at once, in the daily digest, or not."""
    user = request.user
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial_choices=preferences_of(user),
    )
    if request.method == "POST" and form.is_valid():
        ns.preferences_set(actor=user, user=user, choices=form.cleaned_data)
        messages.success(request, PREFERENCES_SAVED)
        return redirect("pages:preferences")
    context = {"form": form, "section": "preferences", "title": "Email notifications"}
    return render_page(request, "teams/preferences.html", context)


@csrf_exempt  # RFC 8058: mail programs POST here with no session and no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """One-click unsubscribe from an email's kinds: GET asks, POST does it (no sign-in)."""
    try:
        _, kinds = ns.unsubscribe_read(token)
    except ValidationError as exc:
        context = {"error": exc.messages[0], "title": "Unsubscribe"}
        return _unsubscribe_page(request, context, status=400)
    done = False
    if request.method == "POST":
        ns.unsubscribe(token)
        done = True
    labels = [label for kind, label in Kind.choices if kind in kinds]
    context = {"labels": labels, "done": done, "token": token, "title": "Unsubscribe"}
    return _unsubscribe_page(request, context)


def _unsubscribe_page(request, context: dict, status: int = 200):
    """The page in the portal's look (colours, theme, style sheets), signed in or not."""
    page = {**admin.site.look_context(request), **context}
    return render(request, "teams/unsubscribe.html", page, status=status)
