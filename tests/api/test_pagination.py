"""API pages count at most COUNT_CAP + 1 rows, say whether the count is exact, and still page."""

import pytest
from rest_framework.test import APIRequestFactory

from portal.api import pagination
from portal.api.pagination import (
    MAX_PAGE,
    NUMBER_INVALID,
    NUMBER_REPEATED,
    PAGE_INVALID,
    CappedPaginator,
    PagePagination,
)
from portal.tasks.models import Task
from tests.factories import TaskFactory


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 5)


def _page(query: str):
    paginator = PagePagination()
    request = APIRequestFactory().get(f"/api/tasks/?{query}")
    from rest_framework.request import Request

    drf_request = Request(request)
    rows = paginator.paginate_queryset(Task.objects.order_by("id"), drf_request)
    return paginator, rows, paginator.get_paginated_response([t.pk for t in rows]).data


def test_under_the_cap_the_count_is_exact(team, small_cap):
    TaskFactory.create_batch(4, team=team)
    _, _, body = _page("page_size=3")
    assert (body["count"], body["count_exact"]) == (4, True)
    assert body["next"] is not None


def test_over_the_cap_it_says_so_and_every_page_is_reachable(
    team, small_cap, django_assert_max_num_queries
):
    tasks = TaskFactory.create_batch(12, team=team)
    with django_assert_max_num_queries(2) as ctx:  # the capped count and the page
        _, _, body = _page("page_size=5")
    assert "LIMIT 6" in ctx.captured_queries[0]["sql"]
    assert (body["count"], body["count_exact"]) == (5, False)
    _, _, third = _page("page_size=5&page=3")
    assert third["results"] == [t.pk for t in tasks[10:]]
    assert third["next"] is None and third["previous"] is not None
    _, _, second = _page("page_size=5&page=2")
    assert second["next"] is not None


def test_a_page_past_the_end_is_a_404(client_for, member, team, small_cap):
    TaskFactory.create_batch(7, team=team)
    response = client_for(member).get("/api/tasks/", {"page": 9, "page_size": 5})
    assert response.status_code == 404
    assert response.json() == {
        "detail": PAGE_INVALID.format(reason="that page contains no results")
    }


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("page=0", "page", NUMBER_INVALID.format(maximum=MAX_PAGE)),
        ("page=-1", "page", NUMBER_INVALID.format(maximum=MAX_PAGE)),
        (f"page={MAX_PAGE + 1}", "page", NUMBER_INVALID.format(maximum=MAX_PAGE)),
        ("page=", "page", NUMBER_INVALID.format(maximum=MAX_PAGE)),
        ("page=1&page=1", "page", NUMBER_REPEATED),
        ("page_size=0", "page_size", NUMBER_INVALID.format(maximum=100)),
        ("page_size=-5", "page_size", NUMBER_INVALID.format(maximum=100)),
        ("page_size=101", "page_size", NUMBER_INVALID.format(maximum=100)),
        ("page_size=null", "page_size", NUMBER_INVALID.format(maximum=100)),
        ("page_size=null&page_size=null", "page_size", NUMBER_REPEATED),
        ("page_size=1.5", "page_size", NUMBER_INVALID.format(maximum=100)),
    ],
)
@pytest.mark.parametrize("path", ["/api/tasks/", "/api/teams/", "/api/tags/", "/api/users/"])
def test_what_the_schema_refuses_is_a_400_on_that_parameter(
    client_for, member, path, query, name, message
):
    response = client_for(member).get(f"{path}?{query}")
    assert (response.status_code, response.json()) == (400, {name: [message]})


def test_the_schema_declares_the_ranges(anon, db):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/tasks/"]["get"]["parameters"]
    }
    assert parameters["page"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_a_searched_list_counts_to_its_own_smaller_cap(
    client_for, member, team, small_cap, monkeypatch
):
    monkeypatch.setattr(pagination, "SEARCH_COUNT_CAP", 3)
    deploys = [TaskFactory(team=team, title=f"deploy {n}") for n in range(8)]
    TaskFactory.create_batch(2, team=team, title="other")
    api = client_for(member)

    def body(**query):
        response = api.get("/api/tasks/", {"page_size": 2, **query})
        assert response.status_code == 200
        return response.json()

    searched = body(search="deploy")
    assert (searched["count"], searched["count_exact"]) == (3, False)
    assert (body()["count"], body()["count_exact"]) == (5, False)
    assert (body(search="  ")["count"], body(search="  ")["count_exact"]) == (5, False)
    few = body(search="other")
    assert (few["count"], few["count_exact"]) == (2, True)
    last = body(search="deploy", page=4)
    assert sorted(r["title"] for r in last["results"]) == [t.title for t in deploys[:2]]
    assert last["next"] is None
