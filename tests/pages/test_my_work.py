"""My work (/tasks/): the tasks of all my teams, mine by default, with the list's filters,
total, sortable headers and exports."""

import csv
import io

import pytest

from portal.pages import tasklist
from portal.tasks.services import task_create
from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory
from tests.pages.conftest import count_queries, make_tasks
from tests.savedviews.making import menu_views

pytestmark = pytest.mark.django_db
MY_WORK = "/tasks/"


@pytest.fixture
def two_teams(team, other_team, member, member2, outsider):
    """member works in both teams (a viewer of the second one is not enough to be assigned)."""
    MembershipFactory(user=member, team=other_team, role=Role.MEMBER)
    return {
        "mine_ops": task_create(actor=member, team=team, title="Mine in OPS", assignees=[member]),
        "theirs_ops": task_create(
            actor=member, team=team, title="Theirs in OPS", assignees=[member2]
        ),
        "nobody_ops": task_create(actor=member, team=team, title="Nobody's in OPS"),
        "mine_des": task_create(
            actor=outsider, team=other_team, title="Mine in DES", assignees=[member]
        ),
        "theirs_des": task_create(
            actor=outsider, team=other_team, title="Theirs in DES", assignees=[outsider]
        ),
    }


def titles(response):
    return {task.title for task in response.context["tasks"]}


def test_mine_across_my_teams_by_default_with_each_rows_team(client, member, two_teams):
    client.force_login(member)
    response = client.get(MY_WORK)
    assert titles(response) == {"Mine in OPS", "Mine in DES"}
    html = response.content.decode()
    assert 'value="me" selected' in html  # the default is shown, and can be changed
    assert 'data-label="Team"><a href="/teams/design/tasks/">Design</a>' in html
    assert 'href="/teams/design/tasks/1/">Mine in DES' in html
    assert response.context["total_text"] == "2 tasks"


def test_anyone_unassigned_and_the_filter_set(client, member, two_teams):
    client.force_login(member)
    assert len(titles(client.get(f"{MY_WORK}?assignee=anyone"))) == 5
    assert titles(client.get(f"{MY_WORK}?assignee=none")) == {"Nobody's in OPS"}
    assert titles(client.get(f"{MY_WORK}?assignee=anyone&team=DES")) == {
        "Mine in DES",
        "Theirs in DES",
    }
    assert titles(client.get(f"{MY_WORK}?assignee=anyone&search=Theirs&ordering=-number")) == {
        "Theirs in OPS",
        "Theirs in DES",
    }
    bad = client.get(f"{MY_WORK}?ordering=colour")
    assert bad.status_code == 200 and bad.context["errors"]


def test_only_my_teams_and_sign_in_required(client, member, member2, two_teams):
    client.force_login(member2)  # in OPS only
    assert titles(client.get(f"{MY_WORK}?assignee=anyone")) == {
        "Mine in OPS",
        "Theirs in OPS",
        "Nobody's in OPS",
    }
    client.logout()
    assert client.get(MY_WORK).status_code == 302


def test_the_front_door_and_the_header_link_to_it(client, member, two_teams):
    client.force_login(member)
    html = client.get("/teams/").content.decode()
    assert 'id="my-work-link"' in html and 'href="/tasks/"' in html
    assert 'id="header-my-work" aria-current="page"' in client.get(MY_WORK).content.decode()


def test_headers_sort_and_say_so(client, member, two_teams):
    client.force_login(member)
    html = client.get(f"{MY_WORK}?ordering=title").content.decode()
    assert (
        '<th scope="col" aria-sort="ascending"><a class="pages-sort" href="?ordering=-title"'
        in html
    )
    assert 'href="?ordering=-priority">Priority</a>' in html
    html = client.get(f"{MY_WORK}?ordering=-title").content.decode()
    assert 'aria-sort="descending"><a class="pages-sort" href="?ordering=title"' in html


def test_total_says_more_than_the_cap(client, member, two_teams, monkeypatch):
    monkeypatch.setattr(tasklist, "TOTAL_CAP", 3)
    client.force_login(member)
    assert client.get(f"{MY_WORK}?assignee=anyone").context["total_text"] == "more than 3 tasks"
    assert client.get(MY_WORK).context["total_text"] == "2 tasks"


def test_exports_the_list_as_filtered(client, member, two_teams):
    client.force_login(member)
    response = client.get(f"{MY_WORK}export.csv")
    assert response.status_code == 200
    assert 'filename="my-work-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["title"] for row in rows} == {"Mine in OPS", "Mine in DES"}
    response = client.get(f"{MY_WORK}export.xlsx?assignee=anyone")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get(f"{MY_WORK}export.pdf").status_code == 404
    assert client.get(f"{MY_WORK}export.csv?ordering=colour").status_code == 400


def test_a_big_export_runs_in_the_background(client, member, outsider, two_teams, settings):
    settings.SPREADSHEET_BACKGROUND_ROWS = 1
    client.force_login(member)
    response = client.get(f"{MY_WORK}export.csv", follow=True)
    assert response.status_code == 200
    assert b"Exporting 2 tasks in the background." in response.content
    job = response.context["job"]
    assert job.requester == member
    assert client.get(f"/tasks/exports/{job.pk}/file/").status_code == 404  # not written yet
    client.force_login(outsider)
    assert client.get(f"/tasks/exports/{job.pk}/").status_code == 404  # someone else's


def test_queries_do_not_grow_with_tasks(
    client, team, other_team, member, member2, two_teams, django_assert_max_num_queries
):
    tags = [TagFactory(), TagFactory()]
    views = menu_views(None, member, None, "list")
    client.force_login(member)
    make_tasks(team, member, 5, tags=tags, assignees=[member, member2])
    make_tasks(other_team, member, 5, tags=tags, assignees=[member])
    small, response = count_queries(client, MY_WORK, django_assert_max_num_queries)
    assert len(response.context["tasks"]) == 12
    assert [row["view"] for row in response.context["saved_views"]["mine"]] == views[::-1]
    make_tasks(team, member, 5_000, tags=tags, assignees=[member, member2])
    make_tasks(other_team, member, 5_000, tags=tags, assignees=[member])
    large, response = count_queries(client, MY_WORK, django_assert_max_num_queries)
    assert len(response.context["tasks"]) == 25
    assert response.context["total_text"] == "more than 10,000 tasks"
    assert small == large
