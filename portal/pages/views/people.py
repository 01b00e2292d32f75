"""The team's people: its members for everyone in it; for its leads, invitations too."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from portal.pages.forms import InvitationForm, add_service_errors
from portal.teams import permissions as perms
from portal.teams.invitations import (
    invitation_create,
    invitation_resend,
    invitation_revoke,
    link_base,
)
from portal.teams.selectors import invitations_open, team_members

from .base import NOT_FOUND, page_view, render_page, team_context, team_or_404

INVITED = "Invitation sent to {email}."
RESENT = "A new link was sent to {email}; the previous one no longer works."
REVOKED = "The invitation to {email} was withdrawn."


def _render(request, team, form=None, status=200):
    user = request.user
    context = team_context(user, team)
    can_invite = perms.can_manage_team(user, team)
    context.update(
        {
            "section": "people",
            "title": f"{team.name} people",
            "members": team_members(fetched_by=user, team=team),
            "can_invite": can_invite,
            "invitations": invitations_open(fetched_by=user, team=team),
            "form": form or (InvitationForm() if can_invite else None),
        }
    )
    return render_page(request, "teams/people.html", context, status=status)


@page_view
@require_GET
def people(request, slug: str):
    return _render(request, team_or_404(request.user, slug))


@page_view
@require_POST
def invite(request, slug: str):
    user = request.user
    team = team_or_404(user, slug)
    if not perms.can_manage_team(user, team):
        raise PermissionDenied(perms.DENIED_MANAGE_TEAM)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_create(
                actor=user, team=team, base_url=link_base(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, INVITED.format(email=invitation.email))
            return redirect("pages:people", team.slug)
    return _render(request, team, form, status=400)


def _invitation(user, team, invitation_id: int):
    """One open invitation of the team, for its leads (404 for everyone else)."""
    invitation = invitations_open(fetched_by=user, team=team).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404(NOT_FOUND)
    invitation.team = team
    return invitation


def _act(request, slug: str, invitation_id: int, apply, done: str):
    """Apply a service to one open invitation of the team and go back with what happened."""
    user = request.user
    team = team_or_404(user, slug)
    invitation = _invitation(user, team, invitation_id)
    try:
        apply(invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done.format(email=invitation.email))
    return redirect("pages:people", team.slug)


@page_view
@require_POST
def resend(request, slug: str, invitation_id: int):
    def apply(invitation):
        invitation_resend(actor=request.user, invitation=invitation, base_url=link_base(request))

    return _act(request, slug, invitation_id, apply, RESENT)


@page_view
@require_POST
def revoke(request, slug: str, invitation_id: int):
    def apply(invitation):
        invitation_revoke(actor=request.user, invitation=invitation)

    return _act(request, slug, invitation_id, apply, REVOKED)
