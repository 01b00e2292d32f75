"""A person's own profile: name, time zone and the daily summary by email."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.services import feed_token_renew, feed_token_revoke, profile_update
from portal.pages.forms import ProfileForm, add_service_errors
from portal.tasks.selectors import feed_addresses

from .base import bad_request, page_view, render_page

SAVED = "Your profile was saved."
UNCHANGED = "Nothing was changed."
FEED_RENEWED = "Your calendar feed has a new address: the previous one no longer works."
FEED_REVOKED = "Your calendar feed is turned off: its address no longer works."
FEED_ACTION_INVALID = 'Choose "renew" or "revoke".'


@page_view
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, user=user)
        if form.is_valid():
            changes = form.changes()
            try:
                profile_update(actor=user, user=user, **changes)
            except ValidationError as exc:
                user.refresh_from_db()  # the service set the refused values on the object
                add_service_errors(form, exc)
            else:
                messages.success(request, SAVED if changes else UNCHANGED)
                return redirect("pages:profile")
        status = 400
    else:
        form = ProfileForm(user=user)
    context = {"form": form, "title": "Your profile", "section": "profile"}
    context.update(_feed_context(request))
    return render_page(request, "teams/profile.html", context, status=status)


def _feed_context(request) -> dict:
    """The person's calendar feed addresses (absolute, to paste into a calendar app)."""
    addresses = feed_addresses(request.user, request.build_absolute_uri)
    if addresses is None:
        return {"feed": None}
    return {
        "feed": True,
        "feed_mine": addresses["mine"],
        "feed_teams": [(team["name"], team["url"]) for team in addresses["teams"]],
    }


@page_view
@require_POST
def feed(request):
    """Create or replace (`action=renew`) or turn off (`action=revoke`) my calendar feed."""
    action = request.POST.get("action", "")
    if action == "renew":
        feed_token_renew(actor=request.user, user=request.user)
        messages.success(request, FEED_RENEWED)
    elif action == "revoke":
        feed_token_revoke(actor=request.user, user=request.user)
        messages.success(request, FEED_REVOKED)
    else:
        return bad_request(FEED_ACTION_INVALID)
    return redirect(reverse("pages:profile") + "#calendar-feed")
