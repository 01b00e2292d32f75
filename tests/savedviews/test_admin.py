"""The saved views' admin page: scoped like the team pages, written through the services."""

from portal.savedviews.models import SavedView
from portal.savedviews.services import saved_view_create

LIST = "/admin/savedviews/savedview/"


def test_the_list_shows_my_views_and_my_teams_shared_ones(
    client, team, other_team, lead, member, member2, outsider, django_assert_max_num_queries
):
    mine = saved_view_create(actor=member, team=team, kind="list", name="Mine")
    private = saved_view_create(actor=member2, team=team, kind="list", name="Hidden one")
    shared = saved_view_create(actor=lead, team=team, kind="board", name="Team's", shared=True)
    other = saved_view_create(actor=outsider, team=other_team, kind="list", name="Design's")
    client.force_login(member)
    with django_assert_max_num_queries(25):
        response = client.get(LIST)
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert shown == {mine, shared}
    for hidden in (private, other):
        assert client.get(f"{LIST}{hidden.pk}/change/").status_code == 404
    # A member sees the team's shared view but may not change it.
    page = client.get(f"{LIST}{shared.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_saving_and_deleting_go_through_the_services(client, team, member, lead):
    client.force_login(member)
    response = client.post(
        f"{LIST}add/",
        {"team": team.pk, "kind": "list", "name": "From the admin", "params": '{"page": "2"}'},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    view = SavedView.objects.get()
    assert (view.owner, view.params, view.shared) == (member, {}, False)
    refused = client.post(
        f"{LIST}add/",
        {"team": team.pk, "kind": "list", "name": "Bad", "params": '{"overdue": "maybe"}'},
    )
    assert SavedView.objects.count() == 1 and refused.status_code in (200, 302)
    response = client.post(f"{LIST}{view.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not SavedView.objects.exists()
