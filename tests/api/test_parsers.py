"""The API's JSON parser: nesting has a limit, and a body too deep is a 400 on every endpoint."""

import pytest

from portal.core.validators import JSON_TOO_DEEP, MAX_JSON_DEPTH

BRACKETS = "[" * 3000 + "]" * 3000  # 6 KB that used to exhaust the decoder's recursion
DEEP_OBJECT = '{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)
ANONYMOUS = [
    "/api/auth/login/",
    "/api/auth/registration/",
    "/api/auth/token/refresh/",
    "/api/auth/token/verify/",
    "/api/auth/logout/",
    "/api/auth/password/reset/",
]


@pytest.mark.parametrize("body", [BRACKETS, DEEP_OBJECT], ids=["brackets", "objects"])
@pytest.mark.parametrize("path", ANONYMOUS)
def test_deep_json_is_refused_before_any_view_runs(anon, db, path, body):
    response = anon.generic("POST", path, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": JSON_TOO_DEEP}


@pytest.mark.parametrize("body", [BRACKETS, DEEP_OBJECT], ids=["brackets", "objects"])
def test_deep_json_is_refused_on_resources(client_for, member, task, body):
    client = client_for(member)
    for method, path in [
        ("POST", "/api/tasks/"),
        ("PATCH", f"/api/tasks/{task.pk}/"),
        ("PUT", f"/api/tasks/{task.pk}/"),
        ("POST", f"/api/tasks/{task.pk}/assign/"),
        ("POST", f"/api/tasks/{task.pk}/comments/"),
        ("POST", "/api/tags/"),
        ("PATCH", "/api/auth/user/"),
    ]:
        response = client.generic(method, path, body, content_type="application/json")
        assert (response.status_code, response.json()) == (400, {"detail": JSON_TOO_DEEP}), path


def test_json_at_the_limit_is_parsed(client_for, member, team):
    # The body is one level; the metadata object may use the remaining ones.
    metadata = '{"a":' * (MAX_JSON_DEPTH - 2) + "1" + "}" * (MAX_JSON_DEPTH - 2)
    body = f'{{"team": {team.pk}, "title": "deep", "metadata": {metadata}}}'
    response = client_for(member).generic(
        "POST", "/api/tasks/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.json()


def test_malformed_json_is_still_a_parse_error(anon, db):
    response = anon.generic("POST", "/api/auth/login/", "{", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
