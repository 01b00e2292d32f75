"""The API's task list filters through the one task filter set: same rows, same messages."""

import pytest

from tests.tasks.filter_cases import BAD, CASES, RANGE_CASES, resolve

TASKS = "/api/tasks/"


@pytest.mark.parametrize(("filters", "expected"), CASES + RANGE_CASES)
def test_each_filter_returns_its_rows(client_for, member, filter_world, filters, expected):
    response = client_for(member).get(TASKS, {**resolve(filters, filter_world), "page_size": 50})
    assert response.status_code == 200, response.json()
    by_id = {t.pk: name for name, t in filter_world.items() if hasattr(t, "pk")}
    assert {by_id[row["id"]] for row in response.json()["results"]} == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(("filters", "name", "message"), BAD)
def test_bad_values_answer_400_naming_the_filter(client_for, member, filters, name, message):
    response = client_for(member).get(TASKS, filters)
    assert response.status_code == 400
    assert response.json() == {name: [message]}
