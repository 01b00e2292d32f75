"""A NUL character in the query string is a 400 on every door (PostgreSQL refuses it)."""

import pytest

from portal.core.middleware import QUERY_NUL


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tasks/task/?status__exact=%00",
        "/admin/tasks/task/?q=ab%00c",
        "/admin/tasks/task/?%00=1",
        "/admin/autocomplete/?term=%00&app_label=tasks&model_name=task&field_name=parent",
        "/admin/search/?s=%00",
        "/accounts/login/?next=%00",
    ],
)
def test_pages_answer_400_in_text(client, member, path):
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 400
    assert response.content.decode() == QUERY_NUL


@pytest.mark.parametrize(
    "path", ["/api/tasks/?search=%00", "/api/users/?search=%00", "/api/tags/?search=x%00"]
)
def test_api_answers_400_in_json(client, member, path):
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 400
    assert response.json() == {"detail": QUERY_NUL}


def test_ordinary_queries_pass(client, member):
    client.force_login(member)
    assert client.get("/admin/tasks/task/?q=printer").status_code == 200
