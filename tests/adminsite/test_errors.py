"""403, 404 and 500 are pages in the admin's look, with navigation; the 500 page needs no
database."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

from portal.adminsite.errors import FORBIDDEN, NOT_FOUND, SERVER_ERROR

STYLESHEET = "/static/unfold/css/styles.css"


@pytest.mark.parametrize(
    ("person", "url"),
    [
        ("member", reverse("admin:jobs_job_changelist")),
        ("member", reverse("admin:django_q_schedule_changelist")),
        ("member", reverse("admin:teams_team_add")),  # only administrators create teams
        ("viewer", reverse("admin:tasks_tag_add")),
    ],
)
def test_a_page_you_may_not_use_is_a_styled_403_with_navigation(request, client, person, url):
    client.force_login(request.getfixturevalue(person))
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert FORBIDDEN.title in html and FORBIDDEN.message in html
    assert STYLESHEET in html
    assert 'id="nav-sidebar' in html and reverse("admin:tasks_task_changelist") in html
    assert "403 Forbidden" not in html


def test_a_refusal_with_a_reason_shows_it():
    request = RequestFactory().get("/admin/x/")
    response = defaults.permission_denied(request, PermissionError("Only leads may do this."))
    assert "Only leads may do this." in response.content.decode()


def test_404_in_the_admin_keeps_the_navigation(client, member):
    client.force_login(member)
    response = client.get(reverse("admin:tasks_task_change", args=[999_999]))
    assert response.status_code == 404
    html = response.content.decode()
    assert NOT_FOUND.title in html and 'id="nav-sidebar' in html and STYLESHEET in html


def test_404_for_someone_signed_out_offers_to_sign_in(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert NOT_FOUND.title in html and STYLESHEET in html
    assert reverse("admin:login") in html and 'id="nav-sidebar' not in html


def test_500_page_needs_neither_database_nor_user():
    # No database fixture: any query here fails the test.
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert SERVER_ERROR.title in html and SERVER_ERROR.message in html
    assert STYLESHEET in html and "--color-primary-600: oklch(54% .22 265);" in html
    assert f'href="{reverse("admin:index")}"' in html
