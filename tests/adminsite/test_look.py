"""The team pages take the admin's look, not its navigation (`PortalAdminSite.look_context`).

`look_context` gives the keys unfold's skeleton layout and the team pages read, computed as
`each_context` computes them; these tests keep both true when unfold changes: every key equal
to `each_context`'s, and every team page the same with the whole of `each_context`.
"""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from portal.adminsite.site import PortalAdminSite
from portal.tasks.services import task_create

# A form's CSRF token is masked afresh on every render: the one part two renders may differ by.
CSRF = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"')


def _request(user):
    request = RequestFactory().get("/teams/", HTTP_HOST="localhost")
    request.user = user
    return request


@pytest.mark.parametrize("who", ["member", "viewer", "outsider"])
def test_every_key_of_the_look_is_what_each_context_gives(request, who):
    user = request.getfixturevalue(who)
    look = admin.site.look_context(_request(user))
    full = admin.site.each_context(_request(user))
    assert look == {key: full[key] for key in look}
    # The look is smaller than the admin's context: no app list, sidebar or menus.
    assert not {"available_apps", "sidebar_navigation", "tab_list"} & set(look)


def test_the_look_reads_nothing_from_the_database(member, django_assert_num_queries):
    request = _request(member)
    with django_assert_num_queries(0):
        admin.site.look_context(request)


@pytest.fixture
def pages(team, member, other_team):
    task = task_create(actor=member, team=team, title="Look at me")
    slug = team.slug
    return [
        reverse("pages:teams"),
        reverse("pages:board", args=[slug]),
        reverse("pages:task_list", args=[slug]),
        reverse("pages:my_work"),
        reverse("pages:task", args=[slug, task.number]),
        reverse("pages:calendar", args=[slug]),
        reverse("pages:activity", args=[slug]),
        reverse("pages:reports", args=[slug]),
        reverse("pages:inbox"),
        reverse("pages:profile"),
        reverse("pages:board", args=[other_team.slug]),  # 404, in the same frame
    ]


def test_every_team_page_is_the_same_as_with_the_whole_admin_context(
    client, member, pages, monkeypatch
):
    client.force_login(member)
    looked = {path: client.get(path) for path in pages}
    monkeypatch.setattr(
        PortalAdminSite, "look_context", lambda site, request: site.each_context(request)
    )
    for path in pages:
        full = client.get(path)
        assert looked[path].status_code == full.status_code, path
        assert CSRF.sub("", looked[path].content.decode()) == CSRF.sub("", full.content.decode()), (
            path
        )
