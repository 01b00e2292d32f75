"""Saved views on the team pages: the header's menu, saving the page's filters, the team's
default, and who may change what (docs/team-pages.md#saved-views)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils.html import escape

from portal.savedviews import permissions as view_perms
from portal.savedviews.models import NAME_TAKEN, PageKind, SavedView
from portal.savedviews.services import saved_view_create

LIST = "/teams/operations/tasks/"
BOARD = "/teams/operations/"
CALENDAR = "/teams/operations/calendar/"
MY_WORK = "/tasks/"
MY_CALENDAR = "/tasks/calendar/"
CREATE = "/teams/operations/views/"


def menu(response) -> dict:
    return response.context["saved_views"]


def names(rows) -> list[str]:
    return [row["view"].name for row in rows]


def save(client, name="Urgent", query="priority=urgent", kind="list", url=CREATE, **extra):
    return client.post(url, {"kind": kind, "name": name, "query": query, **extra})


@pytest.mark.parametrize(
    ("url", "kind", "team_page"),
    [
        (LIST, PageKind.LIST, True),
        (BOARD, PageKind.BOARD, True),
        (CALENDAR, PageKind.CALENDAR, True),
        (MY_WORK, PageKind.LIST, False),
        (MY_CALENDAR, PageKind.CALENDAR, False),
    ],
)
def test_each_page_lists_my_views_and_the_teams_shared_ones(
    client, team, lead, member, member2, url, kind, team_page
):
    the_team = team if team_page else None
    saved_view_create(actor=member, team=the_team, kind=kind, name="Mine")
    saved_view_create(actor=member2, team=the_team, kind=kind, name="Not mine")
    if team_page:
        saved_view_create(actor=lead, team=team, kind=kind, name="Team's", shared=True)
    client.force_login(member)
    response = client.get(f"{url}?saved=none")
    assert response.status_code == 200
    assert names(menu(response)["mine"]) == ["Mine"]
    assert names(menu(response)["shared"]) == (["Team's"] if team_page else [])
    page = response.content.decode()
    assert 'id="saved-views"' in page and "Not mine" not in page
    assert menu(response)["current"] is None


def test_saving_the_lists_filters_keeps_filters_and_order_and_opens_the_view(client, team, member):
    client.force_login(member)
    query = "status=todo&status=blocked&ordering=-priority&page=3&saved=7&nonsense=1"
    response = save(client, query=query, next=f"{LIST}?{query}")
    view = SavedView.objects.get()
    assert view.params == {"ordering": "-priority", "status": "todo,blocked"}
    assert (view.owner, view.team, view.kind, view.shared) == (member, team, "list", False)
    target = urlsplit(response.url)
    assert target.path == LIST
    assert parse_qs(target.query) == {
        "ordering": ["-priority"],
        "status": ["todo,blocked"],
        "saved": [str(view.pk)],
    }
    opened = client.get(response.url)
    assert menu(opened)["current"] == view
    assert f'aria-current="true" data-saved-view="{view.pk}"' in opened.content.decode()
    # The same filters typed by hand mark the view too; others do not.
    assert menu(client.get(f"{LIST}?ordering=-priority&status=todo,blocked"))["current"] == view
    assert menu(client.get(f"{LIST}?status=todo"))["current"] is None


def test_a_taken_name_or_hostile_input_is_a_message_never_an_error(client, team, member):
    client.force_login(member)
    save(client)
    for name, query, reason in [
        ("urgent", "priority=urgent", NAME_TAKEN),
        ("a\x00b", "", "Null characters are not allowed."),
        ("x" * 10_000, "", "at most 80 characters"),
        ("Bad filter", "overdue=maybe", 'Filter overdue: Enter "true" or "false".'),
        ("NUL filter", "search=a%00b", "Filter search: This cannot contain the NUL"),
        ("Long", "search=" + "x" * 9000, "at most 8000 characters"),
    ]:
        response = save(client, name=name, query=query, next=LIST)
        assert response.status_code == 302 and response.url == LIST
        shown = client.get(LIST).content.decode()
        assert "The view was not saved:" in shown and escape(reason) in shown, name[:20]
    assert SavedView.objects.count() == 1
    bad_kind = save(client, kind="reports", next=LIST)
    assert bad_kind.status_code == 302 and SavedView.objects.count() == 1


def test_sharing_is_for_leads(client, team, member, lead):
    client.force_login(member)
    response = save(client, shared="on")
    assert response.status_code == 403
    assert escape(view_perms.DENIED_SHARE) in response.content.decode()
    assert "Share with the team" not in client.get(LIST).content.decode()
    client.force_login(lead)
    assert "Share with the team" in client.get(LIST).content.decode()
    save(client, shared="on")
    assert SavedView.objects.get().shared


def test_the_teams_default_opens_on_a_bare_address_and_none_shows_everything(
    client, team, lead, member, outsider
):
    client.force_login(lead)
    save(client, name="Open work", query="open=true&ordering=due_date")
    view = SavedView.objects.get()
    response = client.post(f"/views/{view.pk}/", {"action": "default"})
    view.refresh_from_db()
    assert view.is_default and view.shared
    client.force_login(member)
    bare = client.get(LIST)
    assert bare.status_code == 302
    assert parse_qs(urlsplit(bare.url).query) == {
        "open": ["true"],
        "ordering": ["due_date"],
        "saved": [str(view.pk)],
    }
    shown = client.get(bare.url)
    assert menu(shown)["current"] == view and menu(shown)["has_default"]
    everything = client.get(f"{LIST}?saved=none")
    assert everything.status_code == 200 and menu(everything)["current"] is None
    assert client.get(BOARD).status_code == 200  # the default is the list's only
    assert client.get(f"{LIST}?page=1").status_code == 200  # any parameter: no default
    client.force_login(outsider)
    assert client.get(LIST).status_code == 404  # never a redirect that names the view
    assert response.status_code == 302


def test_changing_views_follows_the_rules(client, team, lead, member, member2, outsider):
    mine = saved_view_create(actor=member, team=team, kind="list", name="Mine")
    shared = saved_view_create(actor=lead, team=team, kind="list", name="Team", shared=True)
    client.force_login(member2)
    assert client.post(f"/views/{mine.pk}/", {"action": "delete"}).status_code == 404
    refused = client.post(f"/views/{shared.pk}/", {"action": "rename", "name": "Mine now"})
    assert refused.status_code == 403
    assert client.post(f"/views/{shared.pk}/", {"action": "default"}).status_code == 403
    client.force_login(outsider)
    assert client.post(f"/views/{shared.pk}/", {"action": "delete"}).status_code == 404
    assert client.post(CREATE, {"kind": "list", "name": "X"}).status_code == 404
    client.force_login(member)
    renamed = client.post(f"/views/{mine.pk}/", {"action": "rename", "name": "  Renamed "})
    assert renamed.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "Renamed"
    bad = client.post(f"/views/{mine.pk}/", {"action": "explode"})
    assert bad.status_code == 302 and SavedView.objects.filter(pk=mine.pk).exists()
    assert client.post(f"/views/{mine.pk}/", {"action": "delete"}).status_code == 302
    assert client.get(f"/views/{shared.pk}/").status_code == 405
    assert client.post("/views/99999999999999999999/", {"action": "delete"}).status_code == 404
    client.force_login(lead)
    client.post(f"/views/{shared.pk}/", {"action": "rename", "name": "Team (lead)"})
    client.post(f"/views/{shared.pk}/", {"action": "delete"})
    assert list(SavedView.objects.values_list("name", flat=True)) == []


def test_the_calendar_keeps_its_view_and_my_work_has_private_views(client, team, member):
    client.force_login(member)
    save(client, name="Week", query="view=week&month=2026-12&priority=high", kind="calendar")
    assert SavedView.objects.get().params == {"priority": "high", "view": "week"}
    response = save(client, name="Mine", query="assignee=anyone", url="/tasks/views/")
    view = SavedView.objects.get(name="Mine")
    assert view.team is None and view.params == {"assignee": "anyone"}
    assert urlsplit(response.url).path == MY_WORK
    assert menu(client.get(response.url))["current"] == view


def test_names_and_filters_are_escaped_in_the_menu(client, team, member):
    saved_view_create(
        actor=member, team=team, kind="list", name="<script>x</script>", params={"tag": '"><b>'}
    )
    client.force_login(member)
    page = client.get(f"{LIST}?saved=none").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert '"><b>' not in page


def test_hostile_addresses_show_the_page_with_no_view_marked(client, team, member):
    saved_view_create(actor=member, team=team, kind="list", name="Mine", params={"open": "true"})
    client.force_login(member)
    for query in ("saved=" + "9" * 10_000, "saved=-1&status=", "saved[]=1&cf_=x", "saved=none"):
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, query
        assert menu(response)["current"] is None
