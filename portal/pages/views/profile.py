"""A person's own profile: name, time zone and the daily summary by email."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from portal.accounts.services import profile_update
from portal.pages.forms import ProfileForm, add_service_errors

from .base import page_view, render_page

SAVED = "Your profile was saved."
UNCHANGED = "Nothing was changed."


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
    return render_page(request, "teams/profile.html", context, status=status)
