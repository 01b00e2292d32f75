"""The API's bodies: JSON only (a form is a 415), nested to a limit, each field of its JSON type."""

import pytest
from django.test import override_settings

from portal.api.fields import NOT_BOOLEAN, NOT_TEXT
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
@override_settings(ACCOUNT_ALLOW_SIGNUP=True)  # closed by default; registration is one of them
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


# --- JSON only, with the JSON types the schema gives -------------------------------------------
FORM_BODIES = [
    ("multipart", {}),
    ("multipart", {"assignee_ids": "1"}),
]


@pytest.mark.parametrize(("fmt", "data"), FORM_BODIES, ids=["empty", "filled"])
def test_a_form_body_is_a_415_where_the_schema_documents_json(client_for, member, task, fmt, data):
    client = client_for(member)
    for method, path in [
        ("post", f"/api/tasks/{task.pk}/assign/"),
        ("post", f"/api/tasks/{task.pk}/comments/"),
        ("patch", f"/api/tasks/{task.pk}/"),
        ("patch", "/api/auth/user/"),
        ("post", "/api/auth/login/"),
    ]:
        response = getattr(client, method)(path, data, format=fmt)
        assert response.status_code == 415, path
    urlencoded = client.generic(
        "POST", f"/api/tasks/{task.pk}/comments/", "body=hi", "application/x-www-form-urlencoded"
    )
    assert urlencoded.status_code == 415


def test_only_the_import_and_uploads_document_a_multipart_body(anon, db):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    bodies = {
        (method, path): sorted(operation["requestBody"]["content"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert bodies.pop(("post", "/api/tasks/import/")) == ["multipart/form-data"]
    uploads = [key for key in bodies if key[1].endswith("/attachments/") and key[0] == "post"]
    assert len(uploads) == 1
    assert bodies.pop(uploads[0]) == ["multipart/form-data"]
    assert set(map(tuple, bodies.values())) == {("application/json",)}


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "message"),
    [
        ("post", "comments/", {"body": 0}, "body", NOT_TEXT),
        ("patch", "", {"title": 12}, "title", NOT_TEXT),
        ("patch", "", {"estimated_hours": 2.5}, "estimated_hours", NOT_TEXT),
        ("post", "assign/", {"assignee_ids": ["{member}"]}, "assignee_ids", None),
        ("patch", "", {"team": True}, "team", None),
    ],
)
def test_task_fields_take_only_their_json_type(
    client_for, member, task, method, path, body, field, message
):
    body = {k: [str(member.pk)] if v == ["{member}"] else v for k, v in body.items()}
    response = getattr(client_for(member), method)(f"/api/tasks/{task.pk}/{path}", body)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]


def test_tag_names_and_profile_flags_take_only_their_json_type(client_for, member):
    client = client_for(member)
    tag = client.post("/api/tags/", {"name": 0})
    assert (tag.status_code, tag.json()) == (400, {"name": [NOT_TEXT]})
    flag = client.patch("/api/auth/user/", {"receive_daily_summary": 0})
    assert (flag.status_code, flag.json()) == (400, {"receive_daily_summary": [NOT_BOOLEAN]})
    assert client.patch("/api/auth/user/", {"receive_daily_summary": True}).status_code == 200
