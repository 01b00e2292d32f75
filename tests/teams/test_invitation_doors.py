"""Invitations at each door: the team's People page, the link's page, the admin and the API."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from portal.accounts.models import User
from portal.teams import invitations as inv
from portal.teams.models import Invitation, Membership, Role
from tests.factories import PASSWORD, UserFactory
from tests.teams.test_invitations import BASE, NEW_PASSWORD, invite, last_token

pytestmark = pytest.mark.django_db


def link_path() -> str:
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


# --- the team's People page ------------------------------------------------------------------
def test_a_lead_invites_from_the_people_page(lead, team):
    client = signed_in(lead)
    page = client.get(reverse("pages:people", args=[team.slug]))
    assert page.status_code == 200 and b'id="invite-form"' in page.content
    response = client.post(
        reverse("pages:invite", args=[team.slug]), {"email": "Nina@example.com", "role": "viewer"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Invitation sent to nina@example.com." in page.content
    assert b'data-invitation="nina@example.com"' in page.content
    assert link_path().startswith("/invitations/")
    assert mail.outbox[-1].body.count("http://testserver/invitations/") == 1


def test_the_people_page_shows_a_refusal_next_to_the_field(lead, member, team):
    client = signed_in(lead)
    response = client.post(
        reverse("pages:invite", args=[team.slug]), {"email": member.email, "role": "member"}
    )
    assert response.status_code == 400
    assert inv.INVITEE_ALREADY_MEMBER.format(email=member.email, team=team.name) in (
        response.content.decode()
    )
    response = client.post(
        reverse("pages:invite", args=[team.slug]), {"email": "x\x00@example.com", "role": "boss"}
    )
    assert response.status_code == 400


def test_members_see_the_people_but_no_invitations(lead, member, viewer, outsider, team):
    invite(lead, team)
    for person in (member, viewer):
        page = signed_in(person).get(reverse("pages:people", args=[team.slug]))
        assert page.status_code == 200
        assert b'data-member="lead"' in page.content
        assert b"invite-form" not in page.content and b"nina@example.com" not in page.content
        response = signed_in(person).post(
            reverse("pages:invite", args=[team.slug]), {"email": "a@example.com", "role": "lead"}
        )
        assert response.status_code == 403
    assert signed_in(outsider).get(reverse("pages:people", args=[team.slug])).status_code == 404
    assert Invitation.objects.count() == 1


def test_a_lead_sends_again_and_withdraws_from_the_people_page(lead, member, team):
    invitation = invite(lead, team)
    first = link_path()
    client = signed_in(lead)
    resend = reverse("pages:invitation_resend", args=[team.slug, invitation.pk])
    revoke = reverse("pages:invitation_revoke", args=[team.slug, invitation.pk])
    assert signed_in(member).post(resend).status_code == 404
    assert client.post(resend).status_code == 302
    assert link_path() != first
    assert client.post(revoke).status_code == 302
    assert client.post(revoke).status_code == 404  # no longer open
    assert client.get(revoke).status_code == 405
    assert Client().get(link_path()).status_code == 410


@override_settings(INVITATIONS_PER_HOUR=1000)
def test_the_pending_list_costs_the_same_for_2_and_40_invitations(
    lead, superuser, team, django_assert_max_num_queries
):
    from tests.pages.conftest import count_queries

    url = reverse("pages:people", args=[team.slug])
    client = signed_in(lead)
    for n in range(2):
        invite(lead, team, email=f"early{n}@example.com")
    small, _ = count_queries(client, url, django_assert_max_num_queries)
    for n in range(38):  # sent by two people, so the senders' names are read in one go too
        invite(superuser if n % 2 else lead, team, email=f"late{n}@example.com")
    large, response = count_queries(client, url, django_assert_max_num_queries)
    assert small == large
    assert response.content.count(b"data-invitation=") == 40


# --- the link's page ---------------------------------------------------------------------------
def test_a_new_person_sets_up_an_account_and_lands_on_the_board(lead, team):
    invite(lead, team, role=Role.MEMBER)
    client = Client()
    page = client.get(link_path())
    assert page.status_code == 200 and b'id="join-form"' in page.content
    response = client.post(
        link_path(),
        {
            "first_name": "Nina",
            "last_name": "Park",
            "username": "nina",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:board", args=[team.slug])
    board = client.get(response["Location"])
    assert board.status_code == 200 and b"Welcome to Operations" in board.content
    nina = User.objects.get(username="nina")
    assert Membership.objects.get(user=nina, team=team).role == Role.MEMBER


def test_the_join_form_gives_every_error_at_once_and_keeps_the_link(lead, team):
    invite(lead, team)
    client = Client()
    response = client.post(
        link_path(),
        {"username": "a@b", "password": "short", "password_again": "other"},
    )
    assert response.status_code == 400
    assert b"id_password_again_error" in response.content
    response = client.post(
        link_path(),
        {"username": "lead", "password": "password", "password_again": "password"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "already exists" in text and "password" in text
    assert not User.objects.filter(email="nina@example.com").exists()
    assert client.get(link_path()).status_code == 200


def test_someone_with_an_account_signs_in_and_joins(lead, team):
    person = UserFactory(username="nina", email="nina@example.com")
    invite(lead, team, role=Role.VIEWER)
    path = link_path()
    page = Client().get(path)
    assert b'id="sign-in-to-join"' in page.content
    assert f"/accounts/login/?next={path.replace('/', '%2F')}".encode() in page.content
    client = Client()
    assert client.login(username="nina", password=PASSWORD)
    assert b'id="join-team"' in client.get(path).content
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.get(user=person, team=team).role == Role.VIEWER


def test_signed_in_as_someone_else_the_link_says_so(lead, member, team):
    invite(lead, team)
    response = signed_in(member).post(link_path())
    assert response.status_code == 403
    assert b"sign-out" in response.content
    assert not Membership.objects.filter(team=team, user__email="nina@example.com").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/invitations/x/",
        "/invitations/" + "a" * 43 + "/",
        "/invitations/" + "a" * 5000 + "/",
        "/invitations/%00/",
        "/invitations/%C3%A9/",
    ],
)
def test_a_tampered_link_gets_a_clear_page(path, lead, team):
    invite(lead, team)
    response = Client().get(path)
    assert response.status_code == 404
    assert inv.LINK_UNKNOWN in response.content.decode()


def test_used_and_withdrawn_links_get_a_clear_page(lead, team):
    first = invite(lead, team, email="a@example.com")
    withdrawn = link_path()
    inv.invitation_revoke(actor=lead, invitation=first)
    response = Client().get(withdrawn)
    assert response.status_code == 410 and b"withdrawn" in response.content
    invite(lead, team, email="b@example.com")
    used = link_path()
    UserFactory(email="b@example.com")
    inv.invitation_accept(
        invitation=inv.invitation_by_token(used.split("/")[2]),
        user=User.objects.get(email="b@example.com"),
    )
    response = Client().post(used, {"username": "x"})
    assert response.status_code == 410 and b"already been used" in response.content


# --- the admin ---------------------------------------------------------------------------------
def test_a_lead_invites_and_withdraws_in_the_admin(lead, member, team, other_team):
    client = signed_in(lead)
    add = reverse("admin:teams_invitation_add")
    page = client.get(add)
    assert page.status_code == 200
    assert f'value="{team.pk}"'.encode() in page.content
    assert f'value="{other_team.pk}"'.encode() not in page.content
    response = client.post(add, {"team": team.pk, "email": "nina@example.com", "role": "viewer"})
    assert response.status_code == 302, response.context and response.context["errors"]
    invitation = Invitation.objects.get()
    assert invitation.role == Role.VIEWER and mail.outbox[-1].to == ["nina@example.com"]
    listing = client.get(reverse("admin:teams_invitation_changelist"))
    assert b"nina@example.com" in listing.content
    response = client.post(
        reverse("admin:teams_invitation_changelist"),
        {"action": "revoke_selected", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    response = client.post(
        reverse("admin:teams_invitation_changelist"),
        {"action": "resend_selected", "_selected_action": [invitation.pk]},
        follow=True,
    )
    assert b"already revoked" in response.content
    history = client.get(reverse("admin:teams_invitation_history", args=[invitation.pk]))
    assert history.status_code == 200


def test_the_admin_refuses_a_member_and_a_team_the_person_does_not_lead(
    lead, member, team, other_team
):
    client = signed_in(lead)
    add = reverse("admin:teams_invitation_add")
    response = client.post(add, {"team": team.pk, "email": member.email, "role": "member"})
    assert response.status_code in (200, 302)
    assert not Invitation.objects.exists()
    response = client.post(add, {"team": other_team.pk, "email": "x@example.com", "role": "lead"})
    assert response.status_code == 200 and not Invitation.objects.exists()
    assert signed_in(member).get(add).status_code == 403
    invitation = invite(lead, team)
    change = reverse("admin:teams_invitation_change", args=[invitation.pk])
    assert signed_in(member).get(change).status_code in (403, 404)


# --- the API -----------------------------------------------------------------------------------
def test_a_lead_lists_invites_resends_and_withdraws_through_the_api(lead, team):
    client = api(lead)
    url = f"/api/teams/{team.pk}/invitations/"
    response = client.post(url, {"email": "Nina@example.com", "role": "viewer"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["role"], body["state"]) == ("nina@example.com", "viewer", "pending")
    assert body["invited_by"]["username"] == "lead"
    assert "token" not in str(body)
    listed = client.get(url).json()
    assert [row["id"] for row in listed] == [body["id"]]
    first = link_path()
    response = client.post(f"{url}{body['id']}/resend/")
    assert response.status_code == 200 and link_path() != first
    assert client.post(f"{url}{body['id']}/revoke/").status_code == 204
    assert client.post(f"{url}{body['id']}/revoke/").status_code == 404
    assert client.get(url).json() == []


def test_the_api_keeps_invitations_to_the_teams_leads(lead, member, outsider, team):
    url = f"/api/teams/{team.pk}/invitations/"
    invitation = invite(lead, team)
    assert api(member).get(url).status_code == 403
    assert api(member).post(url, {"email": "a@example.com"}, format="json").status_code == 403
    assert api(member).post(f"{url}{invitation.pk}/revoke/").status_code == 403
    assert api(outsider).get(url).status_code == 404
    assert api(outsider).post(f"{url}{invitation.pk}/resend/").status_code == 404
    assert APIClient().get(url).status_code == 401
    assert api(lead).post(f"{url}99999999999999999999/revoke/").status_code == 404


def test_the_api_refuses_a_member_bad_addresses_and_too_many(lead, member, team):
    client = api(lead)
    url = f"/api/teams/{team.pk}/invitations/"
    response = client.post(url, {"email": member.email.upper()}, format="json")
    assert response.status_code == 400 and "already a member" in response.json()["email"][0]
    for bad in ["nope", "a\x00@example.com", "a" * 300 + "@example.com", 42, None]:
        assert client.post(url, {"email": bad}, format="json").status_code == 400, bad
    assert (
        client.post(url, {"email": "a@example.com", "role": "boss"}, format="json").status_code
        == 400
    )
    with override_settings(INVITATIONS_PER_HOUR=2):
        assert client.post(url, {"email": "a@example.com"}, format="json").status_code == 201
        assert client.post(url, {"email": "b@example.com"}, format="json").status_code == 201
        response = client.post(url, {"email": "c@example.com"}, format="json")
        assert response.status_code == 429
        assert "2 invitations in the last hour" in response.json()["detail"]


def test_invitation_emails_go_out_with_the_portals_address(lead, team):
    invite(lead, team)
    assert BASE in mail.outbox[-1].body
    assert last_token() in mail.outbox[-1].body
    assert "7" not in mail.outbox[-1].subject


@override_settings(INVITATIONS_PER_HOUR=1000)
@pytest.mark.parametrize("door", ["api", "admin"])
def test_the_api_and_admin_invitation_lists_cost_the_same_for_2_and_40(
    lead, superuser, team, door, django_assert_max_num_queries
):
    from tests.pages.conftest import count_queries

    if door == "api":
        client, url = api(lead), f"/api/teams/{team.pk}/invitations/"
    else:
        client, url = signed_in(lead), reverse("admin:teams_invitation_changelist")
    for n in range(2):
        invite(lead, team, email=f"early{n}@example.com")
    small, _ = count_queries(client, url, django_assert_max_num_queries)
    for n in range(38):  # from two senders, so their names are read in one go too
        invite(superuser if n % 2 else lead, team, email=f"late{n}@example.com")
    large, response = count_queries(client, url, django_assert_max_num_queries)
    assert small == large
    if door == "api":
        assert len(response.json()) == 40
