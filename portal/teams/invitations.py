"""Invitations: a lead asks an email address to join their team with a role.

Every door (team pages, admin, API) calls these services. The link in the email carries a
random token; only its SHA-256 is stored, so the database alone gives no working link, and a
new link (resend, or inviting the same address again) makes the previous one stop working.
A link works for INVITATION_DAYS days, once. Acceptance adds the membership through
`membership_add`, in the name of the lead who invited, so it is judged by the role rules as
they are at that moment: an invitation from someone who no longer leads the team is void.
"""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.services import account_create_invited
from portal.core.concurrency import lock_row
from portal.core.dates import moment
from portal.core.models import save_checked
from portal.teams import permissions as perms
from portal.teams.models import Invitation, InvitationState, Membership, Role, Team
from portal.teams.services import membership_add

INVITATION_DAYS = 7
# The history reason of a record that sent a link (the rate limit counts them).
SENT = "sent"
# Longest token a link may carry (ours are 43 characters); anything longer is not ours.
TOKEN_MAX = 100

INVITEE_ALREADY_MEMBER = "{email} is already a member of {team}; nothing changed."
INVITATION_CLOSED = "This invitation was already {state}; it cannot be changed."
TOO_MANY_INVITATIONS = (
    "You have sent {limit} invitations in the last hour; wait a little before sending more."
)
MAIL_FAILED = "The invitation email could not be sent; nothing was saved. Try again later."
LINK_UNKNOWN = "This invitation link is not valid. Check that you copied the whole link."
LINK_STATES = {
    InvitationState.ACCEPTED: "This invitation has already been used.",
    InvitationState.REVOKED: "This invitation was withdrawn by the team.",
    InvitationState.EXPIRED: "This invitation has expired. Ask the team's lead for a new one.",
}
INVITER_GONE = "This invitation is no longer valid: its sender no longer leads the team."
WRONG_PERSON = (
    "This invitation is for {email}; you are signed in as {user}. Sign out, then open the "
    "link again."
)
ACCOUNT_EXISTS = "An account with this email address exists: sign in to accept."

SUBJECT = "You are invited to join {team} on {site}"
BODY = """{inviter} invites you to join the team {team} on {site} as {role}.

Open this link to accept (it works until {expires} UTC, once):
{link}

If you did not expect this invitation, you can ignore this email.
"""


class TooManyInvitations(ValidationError):
    """The per-lead limit (INVITATIONS_PER_HOUR): a refusal doors may answer as "slow down"."""


def link_base(request) -> str:
    """The portal's address as a door's request reached it: where the emailed links start."""
    return request.build_absolute_uri("/")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    """Addresses are compared and stored lower-case, as the accounts store theirs."""
    return (email or "").strip().lower()


# --- reads ---------------------------------------------------------------------------------
def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token names, or None (unknown, tampered with, or not ours)."""
    if not token or len(token) > TOKEN_MAX or not token.isascii() or "\x00" in token:
        return None
    found = Invitation.objects.select_related("team", "invited_by").filter(
        token_hash=token_hash(token)
    )
    return found.first()


def invitation_problem(invitation: Invitation | None, now=None) -> str:
    """Why the link cannot be used now ("" when it can)."""
    if invitation is None:
        return LINK_UNKNOWN
    state = invitation.state(now)
    if state != InvitationState.PENDING:
        return LINK_STATES[state]
    inviter = invitation.invited_by
    if inviter is None or not perms.can_manage_team(inviter, invitation.team):
        return INVITER_GONE
    return ""


def invitations_sent_recently(actor: User, now=None) -> int:
    """Invitations `actor` sent (or sent again) in the last hour, from the history records.

    Each send writes a record with the reason SENT; other changes (withdraw, accept) do not.
    The records are the truth, so the count needs no cache and survives restarts.
    """
    now = now or timezone.now()
    return Invitation.history.filter(
        history_user_id=actor.pk,
        history_date__gt=now - timedelta(hours=1),
        history_change_reason=SENT,
    ).count()


# --- writes --------------------------------------------------------------------------------
def _check_lead(actor: User, team: Team) -> None:
    if not perms.can_manage_team(actor, team):
        raise PermissionDenied(perms.DENIED_MANAGE_TEAM)


def _check_rate(actor: User, now) -> None:
    if perms.is_superuser(actor):
        return  # administrators onboard whole teams at once
    limit = settings.INVITATIONS_PER_HOUR
    if invitations_sent_recently(actor, now) >= limit:
        raise TooManyInvitations(TOO_MANY_INVITATIONS.format(limit=limit), code="throttled")


def _check_open(invitation: Invitation) -> None:
    if not invitation.is_open:
        raise ValidationError(INVITATION_CLOSED.format(state=invitation.state().lower()))


def _send(invitation: Invitation, *, actor: User, base_url: str, now) -> None:
    """Give `invitation` a new link valid INVITATION_DAYS days, save it and email it."""
    _check_rate(actor, now)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.invited_by = actor
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    invitation.full_clean()
    invitation._history_user = actor
    invitation._history_date = now
    invitation._change_reason = SENT  # what the rate limit counts
    try:
        save_checked(invitation, force_update=not invitation._state.adding)
    finally:
        del invitation._change_reason  # later changes of this instance are not sendings
    link = base_url.rstrip("/") + reverse("pages:invitation", args=[token])
    context = {
        "inviter": actor.display_name,
        "team": invitation.team.name,
        "site": settings.SITE_NAME,
        "role": invitation.get_role_display().lower(),
        "expires": moment(invitation.expires_at),
        "link": link,
    }
    message = EmailMessage(SUBJECT.format(**context), BODY.format(**context), to=[invitation.email])
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        # Raised inside the transaction: the invitation (or its new link) is not kept.
        raise ValidationError(MAIL_FAILED) from exc


@transaction.atomic
def invitation_create(
    *, actor: User, team: Team, email: str, role: str = Role.MEMBER, base_url: str
) -> Invitation:
    """Invite `email` to `team` as `role` and email the link (`base_url`: the portal's address).

    An address that already has an open invitation to the team gets that invitation again,
    with the role asked now and a new link. A member's address changes nothing (refused).
    """
    _check_lead(actor, team)
    now = timezone.now()
    email = normalize_email(email)
    invitation = Invitation(team=team, email=email, role=role, sent_at=now, expires_at=now)
    invitation.full_clean(exclude=["token_hash", "invited_by"], validate_constraints=False)
    if Membership.objects.filter(team=team, user__email=email).exists():
        raise ValidationError(
            {"email": INVITEE_ALREADY_MEMBER.format(email=email, team=team.name)}, code="member"
        )
    lock_row(team, refresh=False)  # one open invitation per address, also when two leads race
    existing = Invitation.objects.filter(
        team=team, email=email, accepted_at=None, revoked_at=None
    ).first()
    if existing is not None:
        existing.role = role
        invitation = existing
    _send(invitation, actor=actor, base_url=base_url, now=now)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation, base_url: str) -> Invitation:
    """A new link, valid INVITATION_DAYS days from now; the previous link stops working."""
    _check_lead(actor, invitation.team)
    lock_row(invitation)
    _check_open(invitation)
    _send(invitation, actor=actor, base_url=base_url, now=timezone.now())
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    _check_lead(actor, invitation.team)
    lock_row(invitation)
    _check_open(invitation)
    invitation.revoked_at = timezone.now()
    invitation._history_user = actor
    invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """`user` (whose email address is the invited one) joins the team with the invited role.

    Someone who is already a member keeps their membership as it is; the invitation is used.
    """
    lock_row(invitation)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    if normalize_email(user.email) != invitation.email:
        raise PermissionDenied(WRONG_PERSON.format(email=invitation.email, user=user.email))
    membership = Membership.objects.filter(team=invitation.team, user=user).first()
    if membership is None:
        membership = membership_add(
            actor=invitation.invited_by, team=invitation.team, user=user, role=invitation.role
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation._history_user = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_accept_new_account(
    *,
    invitation: Invitation,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A person without an account sets one up from the link and joins: one transaction, so a
    refused acceptance leaves no account behind."""
    lock_row(invitation)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    if invitee_has_account(invitation):
        raise ValidationError(ACCOUNT_EXISTS)
    user = account_create_invited(
        username=username,
        email=invitation.email,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    invitation_accept(invitation=invitation, user=user)
    return user


def invitee_has_account(invitation: Invitation) -> bool:
    """Whether the invited address belongs to an account (who then signs in to accept)."""
    return User.objects.filter(email=invitation.email).exists()
