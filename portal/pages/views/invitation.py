"""The page an invitation's link opens: join the team, with a new account or a signed-in one.

It is open to signed-out people (the link is their key); a link that cannot be used (unknown,
tampered with, expired, withdrawn, used) gets a page that says why, never an error.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.pages.forms import JoinForm, add_service_errors
from portal.teams.invitations import (
    WRONG_PERSON,
    invitation_accept,
    invitation_accept_new_account,
    invitation_by_token,
    invitation_problem,
    invitee_has_account,
    normalize_email,
)

WELCOME = "Welcome to {team}: you joined as {role}."
# The backend a new account is signed in with (the same that signs people in by name or email).
SIGN_IN_BACKEND = "portal.accounts.backends.AuthenticationBackend"
TEMPLATE = "teams/invitation.html"


def _render(request, context: dict, status: int = 200):
    page = admin.site.each_context(request)
    page.update(context)
    return render(request, TEMPLATE, page, status=status)


def _joined(request, invitation):
    role = invitation.get_role_display().lower()
    messages.success(request, WELCOME.format(team=invitation.team.name, role=role))
    return redirect("pages:board", invitation.team.slug)


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    found = invitation_by_token(token)
    problem = invitation_problem(found)
    if problem:
        status = 404 if found is None else 410
        return _render(request, {"problem": problem, "title": "Invitation"}, status=status)
    context = {"invitation": found, "title": f"Join {found.team.name}"}
    user = request.user
    if user.is_authenticated:
        if normalize_email(user.email) != found.email:
            context["problem"] = WRONG_PERSON.format(email=found.email, user=user.email or "-")
            context["wrong_person"] = True
            return _render(request, context, status=403)
        if request.method == "POST":
            try:
                invitation_accept(invitation=found, user=user)
            except (ValidationError, PermissionDenied) as exc:
                context["problem"] = " ".join(getattr(exc, "messages", [str(exc)]))
                return _render(request, context, status=400)
            return _joined(request, found)
        return _render(request, context)
    if invitee_has_account(found):
        query = urlencode({"next": request.path})
        context["sign_in_url"] = f"{settings.LOGIN_URL}?{query}"
        return _render(request, context)
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = invitation_accept_new_account(invitation=found, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, person, backend=SIGN_IN_BACKEND)
            return _joined(request, found)
    context["form"] = form
    return _render(request, context, status=400 if form.errors else 200)
