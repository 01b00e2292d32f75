"""/profile/: a person changes their own name, time zone and daily summary through the profile
service; the header's account menu links to it; errors come back beside their fields."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from portal.core.validators import CONTROL_CHARACTER
from portal.core.zones import TIME_ZONE_UNKNOWN
from portal.pages.views.profile import SAVED, UNCHANGED
from portal.tasks.services import task_create

pytestmark = pytest.mark.django_db
URL = "/profile/"


def post(client, **changes):
    data = {"first_name": "", "last_name": "", "time_zone": "", **changes}
    return client.post(URL, data)


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_shows_the_fields_with_labels_and_the_menu_links_it(client, member):
    client.force_login(member)
    response = client.get(URL)
    assert response.status_code == 200 and reverse("pages:profile") == URL
    html = response.content.decode()
    for name in ("first_name", "last_name", "time_zone", "receive_daily_summary"):
        assert f'for="id_{name}"' in html and f'id="id_{name}"' in html
    assert '<option value="Asia/Tokyo">Asia/Tokyo</option>' in html
    assert "The portal&#x27;s time zone (UTC)" in html
    assert 'href="/profile/" id="profile-link" aria-current="page"' in html
    board = client.get(reverse("pages:teams")).content.decode()
    assert 'href="/profile/" id="profile-link"' in board


def test_saving_changes_the_profile_through_the_service(client, member):
    client.force_login(member)
    response = post(
        client,
        first_name=" Mia ",
        last_name="Lopez",
        time_zone="Asia/Tokyo",
        receive_daily_summary="on",
    )
    assert response.status_code == 302 and response["Location"] == URL
    member.refresh_from_db()
    assert (member.first_name, member.last_name, member.time_zone) == ("Mia", "Lopez", "Asia/Tokyo")
    assert member.receive_daily_summary is True
    page = client.get(URL).content.decode()
    assert SAVED in page and 'value="Mia"' in page
    # The empty choice is the portal's zone; the box unticked turns the summary off.
    post(client, first_name="Mia", last_name="Lopez")
    member.refresh_from_db()
    assert (member.time_zone, member.receive_daily_summary) == ("", False)


def test_saving_nothing_new_says_so(client, member):
    client.force_login(member)
    post(client, first_name=member.first_name, last_name=member.last_name)
    assert UNCHANGED in client.get(URL).content.decode()


def test_an_unknown_zone_is_refused_in_peoples_words(client, member):
    client.force_login(member)
    response = post(client, first_name="Mia", time_zone="Mars/Olympus_Mons")
    assert response.status_code == 400
    html = response.content.decode()
    assert TIME_ZONE_UNKNOWN in html and 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    member.refresh_from_db()
    assert member.first_name == "" and member.time_zone == ""


def test_what_the_service_refuses_comes_back_beside_its_field(client, member):
    client.force_login(member)
    response = post(client, first_name="Mi\x07a", last_name="Lopez")
    assert response.status_code == 400
    assert response.context["form"].errors == {"first_name": [CONTROL_CHARACTER]}
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("", "")
    # The header still shows the stored name (none: the username), not the refused one.
    assert "Signed in as <strong>member</strong>" in response.content.decode()


def test_a_too_long_name_is_refused(client, member):
    client.force_login(member)
    response = post(client, first_name="x" * 151)
    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()


def test_only_get_and_post(client, member):
    client.force_login(member)
    assert client.put(URL).status_code == 405


@time_machine.travel(datetime.fromisoformat("2026-11-26T12:00:00+00:00"), tick=False)
def test_times_on_a_task_page_follow_the_new_zone(client, team, member):
    task = task_create(
        actor=member,
        team=team,
        title="Call",
        due_date=datetime.fromisoformat("2026-11-27T09:00:00+00:00"),
    )
    client.force_login(member)
    page = reverse("pages:task", args=[team.slug, task.number])
    assert "Nov 27, 09:00" in client.get(page).content.decode()
    post(client, time_zone="Asia/Tokyo")
    assert "Nov 27, 18:00" in client.get(page).content.decode()
