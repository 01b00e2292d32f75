"""Invitations: who may invite, the link's life (7 days, once, replaced by a new one), joining."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from portal.accounts.models import User
from portal.teams import invitations as inv
from portal.teams.models import Invitation, InvitationState, Membership, Role
from portal.teams.services import membership_change_role
from tests.factories import MembershipFactory, UserFactory

BASE = "https://tasks.example.com/"
NEW_PASSWORD = "Quiet-Harbour-81!"


def invite(actor, team, email="Nina@Example.com", role=Role.MEMBER):
    return inv.invitation_create(actor=actor, team=team, email=email, role=role, base_url=BASE)


def last_token() -> str:
    """The token of the link in the last email sent."""
    match = re.search(r"https://tasks\.example\.com/invitations/([^/\s]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


class Clock:
    """timezone.now() fixed where the services read it, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(inv.timezone, "now", lambda: self.now)
        monkeypatch.setattr("portal.teams.models.timezone.now", lambda: self.now)

    def forward(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("superuser", True),
        ("lead", True),
        ("member", False),
        ("viewer", False),
        ("outsider", False),
    ],
)
def test_only_the_teams_leads_and_administrators_invite(role, allowed, people, team):
    if allowed:
        invitation = invite(people[role], team)
        assert (invitation.email, invitation.role) == ("nina@example.com", Role.MEMBER)
        assert mail.outbox[-1].to == ["nina@example.com"]
        assert team.name in mail.outbox[-1].subject
    else:
        with pytest.raises(PermissionDenied):
            invite(people[role], team)
        assert mail.outbox == []


@pytest.mark.parametrize("role", [Role.LEAD, Role.MEMBER, Role.VIEWER])
def test_the_invitee_joins_with_the_role_asked(role, lead, team):
    invite(lead, team, role=role)
    found = inv.invitation_by_token(last_token())
    user = inv.invitation_accept_new_account(
        invitation=found, username="nina", password=NEW_PASSWORD, first_name="Nina"
    )
    assert Membership.objects.get(team=team, user=user).role == role
    assert user.check_password(NEW_PASSWORD) and user.email == "nina@example.com"
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary
    found.refresh_from_db()
    assert found.state() == InvitationState.ACCEPTED and found.accepted_by == user


def test_a_role_that_does_not_exist_is_refused(lead, team):
    with pytest.raises(ValidationError) as exc:
        invite(lead, team, role="owner")
    assert "role" in exc.value.message_dict


def test_the_link_works_for_seven_days_and_once(clock, lead, team):
    invite(lead, team)
    token = last_token()
    clock.forward(days=7, seconds=-1)
    assert inv.invitation_problem(inv.invitation_by_token(token)) == ""
    clock.forward(seconds=1)
    found = inv.invitation_by_token(token)
    assert inv.invitation_problem(found) == inv.LINK_STATES[InvitationState.EXPIRED]
    with pytest.raises(ValidationError, match="expired"):
        inv.invitation_accept_new_account(invitation=found, username="nina", password=NEW_PASSWORD)
    assert not User.objects.filter(username="nina").exists()


def test_a_used_link_does_not_work_again(lead, team):
    invite(lead, team)
    token = last_token()
    inv.invitation_accept_new_account(
        invitation=inv.invitation_by_token(token), username="nina", password=NEW_PASSWORD
    )
    found = inv.invitation_by_token(token)
    assert inv.invitation_problem(found) == inv.LINK_STATES[InvitationState.ACCEPTED]


def test_sending_again_replaces_the_link_and_renews_the_seven_days(clock, lead, team):
    invitation = invite(lead, team)
    old = last_token()
    clock.forward(days=6)
    inv.invitation_resend(actor=lead, invitation=invitation, base_url=BASE)
    new = last_token()
    assert new != old
    assert inv.invitation_by_token(old) is None
    clock.forward(days=6)
    assert inv.invitation_problem(inv.invitation_by_token(new)) == ""


def test_an_expired_invitation_can_be_sent_again(clock, lead, team):
    invitation = invite(lead, team)
    clock.forward(days=8)
    inv.invitation_resend(actor=lead, invitation=invitation, base_url=BASE)
    assert inv.invitation_problem(inv.invitation_by_token(last_token())) == ""


def test_inviting_an_open_address_again_sends_the_same_invitation_with_the_new_role(lead, team):
    first = invite(lead, team, email="nina@example.com")
    old = last_token()
    second = invite(lead, team, email="NINA@example.COM", role=Role.VIEWER)
    assert second.pk == first.pk and second.role == Role.VIEWER
    assert Invitation.objects.filter(team=team).count() == 1
    assert inv.invitation_by_token(old) is None


def test_a_withdrawn_link_does_not_work(lead, member, team):
    invitation = invite(lead, team)
    token = last_token()
    with pytest.raises(PermissionDenied):
        inv.invitation_revoke(actor=member, invitation=invitation)
    inv.invitation_revoke(actor=lead, invitation=invitation)
    found = inv.invitation_by_token(token)
    assert inv.invitation_problem(found) == inv.LINK_STATES[InvitationState.REVOKED]
    with pytest.raises(ValidationError, match="revoked"):
        inv.invitation_revoke(actor=lead, invitation=invitation)
    with pytest.raises(ValidationError, match="revoked"):
        inv.invitation_resend(actor=lead, invitation=invitation, base_url=BASE)
    invite(lead, team)  # a withdrawn invitation does not block a new one
    assert Invitation.objects.filter(team=team).count() == 2


def test_inviting_a_member_changes_nothing(lead, member, team):
    with pytest.raises(ValidationError) as exc:
        invite(lead, team, email=member.email.upper(), role=Role.LEAD)
    assert exc.value.message_dict["email"] == [
        inv.INVITEE_ALREADY_MEMBER.format(email=member.email, team=team.name)
    ]
    assert Membership.objects.get(user=member, team=team).role == Role.MEMBER
    assert not Invitation.objects.exists() and mail.outbox == []


def test_someone_with_an_account_accepts_when_signed_in_as_that_address(lead, team, other_team):
    person = UserFactory(username="nina", email="nina@example.com")
    MembershipFactory(user=person, team=other_team)
    invite(lead, team, email="NINA@example.com", role=Role.VIEWER)
    found = inv.invitation_by_token(last_token())
    assert inv.invitee_has_account(found)
    with pytest.raises(ValidationError, match="sign in"):
        inv.invitation_accept_new_account(invitation=found, username="nina2", password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        inv.invitation_accept(invitation=found, user=lead)
    inv.invitation_accept(invitation=found, user=person)
    assert Membership.objects.get(user=person, team=team).role == Role.VIEWER


def test_a_member_by_the_time_they_accept_keeps_their_role(lead, team):
    person = UserFactory(email="nina@example.com")
    invite(lead, team, role=Role.VIEWER)
    found = inv.invitation_by_token(last_token())
    MembershipFactory(user=person, team=team, role=Role.MEMBER)
    inv.invitation_accept(invitation=found, user=person)
    assert Membership.objects.get(user=person, team=team).role == Role.MEMBER
    found.refresh_from_db()
    assert found.accepted_at is not None


def test_an_invitation_from_someone_no_longer_lead_is_void(lead, member, team):
    membership_change_role(
        actor=lead, membership=Membership.objects.get(user=member), role=Role.LEAD
    )
    invite(lead, team)
    found = inv.invitation_by_token(last_token())
    member = User.objects.get(pk=member.pk)
    membership_change_role(
        actor=member, membership=Membership.objects.get(user=lead), role="member"
    )
    found = inv.invitation_by_token(last_token())
    assert inv.invitation_problem(found) == inv.INVITER_GONE
    with pytest.raises(ValidationError):
        inv.invitation_accept_new_account(invitation=found, username="nina", password=NEW_PASSWORD)


def test_the_account_follows_the_username_and_password_rules(lead, team):
    invite(lead, team)
    found = inv.invitation_by_token(last_token())
    with pytest.raises(ValidationError) as exc:
        inv.invitation_accept_new_account(invitation=found, username="lead", password=NEW_PASSWORD)
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        inv.invitation_accept_new_account(invitation=found, username="a@b", password=NEW_PASSWORD)
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        inv.invitation_accept_new_account(invitation=found, username="nina", password="password")
    assert "password" in exc.value.message_dict
    assert not User.objects.filter(username="nina").exists()
    assert inv.invitation_problem(inv.invitation_by_token(last_token())) == ""


@override_settings(INVITATIONS_PER_HOUR=3)
def test_a_lead_may_send_so_many_invitations_an_hour(clock, lead, superuser, team):
    first = invite(lead, team, email="a@example.com")
    invite(lead, team, email="b@example.com")
    inv.invitation_revoke(actor=lead, invitation=first)  # not a sending: does not count
    inv.invitation_resend(
        actor=lead, invitation=Invitation.objects.get(email="b@example.com"), base_url=BASE
    )
    with pytest.raises(inv.TooManyInvitations):
        invite(lead, team, email="c@example.com")
    assert not Invitation.objects.filter(email="c@example.com").exists()
    for n in range(5):  # administrators are not limited
        invite(superuser, team, email=f"admin{n}@example.com")
    clock.forward(hours=1)
    invite(lead, team, email="c@example.com")


@pytest.mark.parametrize(
    "email",
    [
        "",
        "not an address",
        "nina\x00@example.com",
        "a" * 250 + "@example.com",
        "nina@example.com\nBcc: everyone@example.com",
        "<script>@example.com",
    ],
)
def test_hostile_addresses_are_refused(email, lead, team):
    with pytest.raises(ValidationError) as exc:
        invite(lead, team, email=email)
    assert "email" in exc.value.message_dict
    assert mail.outbox == []


@pytest.mark.parametrize(
    "token",
    ["", "x", "a" * 43, "a" * 10_000, "\x00", "é" * 43, "../../admin", "%00"],
)
def test_tampered_tokens_name_no_invitation(token, lead, team):
    invite(lead, team)
    assert inv.invitation_by_token(token) is None
    assert inv.invitation_problem(None) == inv.LINK_UNKNOWN


def test_a_token_changed_by_one_character_names_no_invitation(lead, team):
    invite(lead, team)
    token = last_token()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert inv.invitation_by_token(tampered) is None
    assert inv.invitation_by_token(token) is not None


def test_only_the_hash_of_the_token_is_stored(lead, team):
    invitation = invite(lead, team)
    token = last_token()
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert (
        not Invitation.history.filter(pk=invitation.pk)
        .exclude(email="")
        .filter(email__contains=token)
    )


def test_history_records_who_sent_withdrew_and_accepted(lead, team):
    invitation = invite(lead, team)
    inv.invitation_revoke(actor=lead, invitation=invitation)
    invite(lead, team)
    user = inv.invitation_accept_new_account(
        invitation=inv.invitation_by_token(last_token()), username="nina", password=NEW_PASSWORD
    )
    records = Invitation.history.order_by("history_date", "history_id")
    assert [(r.history_type, r.history_user) for r in records] == [
        ("+", lead),
        ("~", lead),
        ("+", lead),
        ("~", user),
    ]
