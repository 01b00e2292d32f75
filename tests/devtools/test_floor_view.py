"""The API list's floor as a URL (`make wrk` measures the list beside it)."""

import json

import pytest
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from portal.devtools.views import BAD_QUERY, floor_task_list
from portal.tasks.services import task_create

pytestmark = pytest.mark.django_db


def test_the_floor_answers_the_same_page_as_the_api_list(rf, team, other_team, member, outsider):
    for n in range(13):
        task_create(actor=member, team=team, title=f"Ours {n}")
    task_create(actor=outsider, team=other_team, title="Not ours")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(member).access_token}")
    listed = api.get("/api/tasks/?page_size=10").json()["results"]

    response = floor_task_list(rf.get("/", {"user": member.pk, "page_size": 10}))

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    floor = json.loads(response.content)["results"]
    assert [row["id"] for row in floor] == [row["id"] for row in listed]
    assert [row["key"] for row in floor] == [row["key"] for row in listed]
    assert set(floor[0]) == set(listed[0])


@pytest.mark.parametrize("query", [{}, {"user": "x"}, {"user": 1, "page_size": 0}])
def test_a_wrong_query_is_refused_in_words(rf, query):
    response = floor_task_list(rf.get("/", query))
    assert response.status_code == 400 and response.content.decode() == BAD_QUERY


def test_the_floor_is_not_served_unless_asked_for(client, member):
    # DEVTOOLS_FLOOR_VIEW is off by default: the URL answers no one's tasks without sign-in.
    with pytest.raises(NoReverseMatch):
        reverse("devtools:floor-task-list")
    assert client.get(f"/devtools/floor/tasks/?user={member.pk}").status_code == 404
