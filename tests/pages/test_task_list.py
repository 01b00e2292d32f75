"""The team's task list: the one filter set with the team fixed, pages without a COUNT."""

from urllib.parse import urlencode

import pytest
from django.utils.html import escape

from portal.pages.tasklist import TOTAL_CAP
from portal.pages.views.tasks import FILTER_ERROR, PAGE_INVALID, PAGE_SIZE
from tests.factories import TagFactory
from tests.pages.conftest import count_queries, make_tasks
from tests.savedviews.making import menu_views
from tests.tasks.filter_cases import BAD, CASES, RANGE_CASES, names, resolve

pytestmark = pytest.mark.django_db
LIST = "/teams/operations/tasks/"
# The address fixes the team; every other filter is the API's.
PAGE_CASES = [(f, e) for f, e in CASES + RANGE_CASES if "team" not in f]
PAGE_BAD = [case for case in BAD if case[1] != "team"]


def rows(client, member, query=""):
    client.force_login(member)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return response, response.context["tasks"]


@pytest.mark.parametrize(("filters", "expected"), PAGE_CASES)
def test_each_filter_returns_the_rows_the_api_returns(
    client, member, filter_world, filters, expected
):
    _, tasks = rows(client, member, urlencode(resolve(filters, filter_world)))
    assert names(tasks, filter_world) == expected


def test_repeated_values_combine_like_commas(client, member, filter_world):
    _, tasks = rows(client, member, "status=todo&status=blocked&priority=urgent,low")
    assert names(tasks, filter_world) == {"late", "nodate"}


def test_another_team_in_the_address_or_the_query_shows_nothing_of_it(
    client, member, outsider, filter_world
):
    _, tasks = rows(client, member, "team=DES")
    assert "foreign" not in names(tasks, filter_world)
    client.force_login(member)
    assert client.get("/teams/design/tasks/").status_code == 404
    client.force_login(outsider)
    assert client.get(LIST).status_code == 404


@pytest.mark.parametrize(("filters", "name", "message"), PAGE_BAD)
def test_a_bad_filter_says_which_and_why_above_an_empty_list(
    client, member, filter_world, filters, name, message
):
    response, tasks = rows(client, member, urlencode(filters))
    assert tasks == []
    assert response.context["errors"] == [FILTER_ERROR.format(name=name, message=message)]
    assert escape(FILTER_ERROR.format(name=name, message=message)) in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "x", "100001", "9" * 40])
def test_a_bad_page_number_is_a_message_not_an_error(client, member, filter_world, page):
    response, tasks = rows(client, member, f"page={page}")
    assert tasks == [] and response.context["errors"] == [PAGE_INVALID]


def test_ordering_and_search_as_in_the_api(client, member, filter_world):
    _, tasks = rows(client, member, "ordering=-priority")
    assert [t.priority for t in tasks][:2] == ["urgent", "high"]
    _, tasks = rows(client, member, "ordering=due_date")
    assert tasks[-1].due_date is None  # undated last
    _, tasks = rows(client, member, "search=OPS-1")
    assert names(tasks, filter_world) == {"late"}


def test_filter_state_is_in_the_address_and_shown_in_the_form(client, member, filter_world):
    response, _ = rows(client, member, "status=todo,blocked&assignee=me&overdue=true")
    html = response.content.decode()
    assert 'value="todo" checked' in html and 'value="blocked" checked' in html
    assert 'value="me" selected' in html and 'value="true" selected' in html


def test_pages_use_one_row_more_instead_of_a_count(
    client, team, member, django_assert_max_num_queries
):
    make_tasks(team, member, PAGE_SIZE + 3)
    client.force_login(member)
    _, first = count_queries(client, LIST, django_assert_max_num_queries)
    assert len(first.context["tasks"]) == PAGE_SIZE and first.context["has_next"]
    assert 'rel="next" href="?page=2"' in first.content.decode()
    with django_assert_max_num_queries(40) as captured:
        second = client.get(f"{LIST}?page=2&ordering=number")
    assert len(second.context["tasks"]) == 3 and not second.context["has_next"]
    assert 'rel="prev" href="?page=1&amp;ordering=number"' in second.content.decode()
    # The total is counted only up to a cap: no COUNT runs over the whole list.
    # (The header bell counts the person's unread notifications: not tasks.)
    counts = [
        q["sql"].upper()
        for q in captured.captured_queries
        if "COUNT(" in q["sql"].upper() and "NOTIFICATIONS_NOTIFICATION" not in q["sql"].upper()
    ]
    assert counts and all(f"LIMIT {TOTAL_CAP + 1}" in sql for sql in counts)
    past = client.get(f"{LIST}?page=9")
    assert past.context["tasks"] == [] and b"No tasks on this page" in past.content


def test_viewers_read_the_list_too(client, viewer, filter_world):
    _, tasks = rows(client, viewer)
    assert names(tasks, filter_world) == {"late", "soon", "nodate", "done", "child"}


def test_list_queries_do_not_grow_with_tasks(
    client, team, lead, member, member2, django_assert_max_num_queries
):
    tags = [TagFactory(), TagFactory()]
    views = menu_views(team, member, lead, "list")
    client.force_login(member)
    make_tasks(team, member, 10, tags=tags, assignees=[member, member2])
    query = f"{LIST}?status=todo,done&ordering=-priority"
    small, response = count_queries(client, query, django_assert_max_num_queries)
    assert len(response.context["tasks"]) == 5  # 10 tasks over four statuses: 3 to do, 2 done
    assert [row["view"] for row in response.context["saved_views"]["shared"]] == views[1:]
    make_tasks(team, member, 10_000, tags=tags, assignees=[member, member2])
    large, response = count_queries(client, query, django_assert_max_num_queries)
    assert len(response.context["tasks"]) == PAGE_SIZE
    assert small == large


def test_times_show_in_the_persons_zone_and_days_stay_days(client, team, member):
    from datetime import UTC, date, datetime

    from portal.tasks.services import task_create

    task_create(
        actor=member, team=team, title="Call", due_date=datetime(2030, 12, 24, 17, tzinfo=UTC)
    )
    task_create(actor=member, team=team, title="Gift", due_date=date(2030, 12, 24))
    member.time_zone = "Asia/Tokyo"
    member.save(update_fields=["time_zone"])
    client.force_login(member)
    html = client.get("/teams/operations/tasks/").content.decode()
    assert "Dec 25, 2030, 02:00" in html  # 17:00 UTC is 02:00 the next day in Tokyo
    assert ">Dec 24, 2030<" in html  # a day is the same day for everyone
