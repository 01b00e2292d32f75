"""The front door, the sign-in page's links, the header and the list of my teams."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from portal.tasks.services import task_create
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_front_door_sends_anonymous_people_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_front_door_sends_members_to_their_teams(client, member):
    client.force_login(member)
    assert client.get("/")["Location"] == "/teams/"


def test_front_door_sends_an_administrator_without_teams_to_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/")["Location"] == "/admin/"


def test_front_door_sends_an_administrator_in_a_team_to_the_teams(client, superuser, team):
    from tests.factories import MembershipFactory

    MembershipFactory(user=superuser, team=team)
    client.force_login(superuser)
    assert client.get("/")["Location"] == "/teams/"


def test_teams_page_needs_sign_in(client):
    response = client.get("/teams/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/teams/"


def test_sign_in_lands_on_the_teams_or_where_next_says(client, member):
    response = client.post("/accounts/login/", {"login": "member", "password": PASSWORD})
    assert response["Location"] == "/"  # the front door decides, as for anyone opening /
    assert client.get("/")["Location"] == "/teams/"
    client.logout()
    response = client.post(
        "/accounts/login/?next=/teams/operations/",
        {"login": "member", "password": PASSWORD, "next": "/teams/operations/"},
    )
    assert response["Location"] == "/teams/operations/"


@override_settings(ACCOUNT_ALLOW_SIGNUP=True)  # closed by default; opened to see its link
def test_sign_in_page_links_password_reset_and_open_sign_up(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in html
    assert 'id="signup-link" href="/accounts/signup/"' in html


@override_settings(ACCOUNT_ALLOW_SIGNUP=False)
def test_sign_in_page_hides_sign_up_when_closed(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in html
    assert "signup" not in html


def test_teams_page_counts_and_my_open_tasks(client, team, other_team, member, outsider):
    now = timezone.now()
    task_create(
        actor=member, team=team, title="Late", assignees=[member], due_date=now - timedelta(days=1)
    )
    task_create(actor=member, team=team, title="Soon", due_date=now + timedelta(days=2))
    task_create(
        actor=member,
        team=team,
        title="Later",
        assignees=[member],
        due_date=now + timedelta(days=30),
    )
    task_create(actor=member, team=team, title="Finished", status="done", assignees=[member])
    task_create(actor=outsider, team=other_team, title="Secret plan")
    client.force_login(member)
    response = client.get("/teams/")
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row["team"] == team
    assert row["counts"] == {"open": 3, "overdue": 1, "due_soon": 1, "mine": 2}
    assert [t.title for t in row["my_tasks"]] == ["Late", "Later"]
    assert row["my_tasks"][0].is_overdue and not row["my_tasks"][1].is_overdue
    html = response.content.decode()
    assert "Secret plan" not in html and "Design" not in html


def test_the_teams_page_links_show_the_rows_its_counts_counted(client, team, member):
    """Each count links to the team's list filtered with the same words of the vocabulary."""
    import re
    from html import unescape

    now = timezone.now()
    task_create(actor=member, team=team, title="Late", due_date=now - timedelta(days=1))
    task_create(actor=member, team=team, title="Soon", due_date=now + timedelta(days=2))
    task_create(actor=member, team=team, title="Blocked", status="blocked")
    task_create(actor=member, team=team, title="Later", due_date=now + timedelta(days=30))
    task_create(actor=member, team=team, title="Finished", status="done")
    client.force_login(member)
    response = client.get("/teams/")
    (row,) = response.context["rows"]
    html = response.content.decode()
    for name, count in (("open", "open"), ("due-soon", "due_soon")):
        href = unescape(re.search(rf'href="([^"]+)" data-count="{name}"', html).group(1))
        assert "status=" not in href and "due_before" not in href, href
        listing = client.get(href)
        assert listing.status_code == 200
        assert len(listing.context["tasks"]) == row["counts"][count] > 0, name


def test_teams_page_lists_at_most_five_of_my_tasks_per_team(client, team, member):
    for number in range(7):
        task_create(actor=member, team=team, title=f"Mine {number}", assignees=[member])
    client.force_login(member)
    (row,) = client.get("/teams/").context["rows"]
    assert len(row["my_tasks"]) == 5 and row["counts"]["mine"] == 7


def test_someone_without_a_team_is_told_so(client):
    loner = UserFactory(username="loner")
    client.force_login(loner)
    response = client.get("/teams/")
    assert response.status_code == 200
    assert b"You are not in any team yet" in response.content
    assert b'id="admin-link"' not in response.content


def test_header_has_teams_admin_account_and_sign_out(client, team, member):
    client.force_login(member)
    html = client.get("/teams/").content.decode()
    assert "Operations" in html
    assert 'id="admin-link"' in html
    assert "member@example.com" in html
    for url in ("/accounts/email/", "/accounts/password/change/", "/api/docs/"):
        assert f'href="{url}"' in html
    assert 'action="/accounts/logout/"' in html and 'id="sign-out"' in html


def test_teams_page_queries_do_not_grow_with_teams_and_tasks(
    client, member, django_assert_max_num_queries
):
    from portal.teams.permissions import forget_roles
    from tests.factories import MembershipFactory, TeamFactory

    def count() -> int:
        # The counts of all teams in one query and my open tasks of all teams in another
        # (and the header bell's unread count).
        with django_assert_max_num_queries(10) as captured:
            assert client.get("/teams/").status_code == 200
        return len(captured)

    client.force_login(member)
    first = TeamFactory()
    MembershipFactory(user=member, team=first)
    task_create(actor=member, team=first, title="One", assignees=[member])
    small = count()
    for _ in range(3):
        extra = TeamFactory()
        MembershipFactory(user=member, team=extra)
        forget_roles(member)
        for number in range(8):
            task_create(actor=member, team=extra, title=f"T{number}", assignees=[member])
    assert count() == small


def test_sign_in_and_the_front_door_land_an_administrator_on_the_same_page(client, superuser):
    # Without a team: the admin, whether they sign in or open / afterwards.
    superuser.set_password(PASSWORD)
    superuser.save()
    response = client.post(
        "/accounts/login/", {"login": superuser.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/admin/"
    assert client.get("/")["Location"] == "/admin/"
