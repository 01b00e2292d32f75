"""The API speaks JSON; the browsable HTML pages exist only in development (DEBUG on)."""

import pytest

HTML = "text/html"


@pytest.fixture
def client(client_for, member):
    return client_for(member)


@pytest.mark.parametrize("path", ["/api/tasks/", "/api/users/me/"])
def test_html_is_not_acceptable_when_debug_is_off(client, path):
    response = client.get(path, HTTP_ACCEPT=HTML)
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_the_browsable_format_does_not_exist_when_debug_is_off(client):
    assert client.get("/api/tasks/", {"format": "api"}).status_code == 404


@pytest.mark.parametrize("accept", ["application/json", "*/*", f"{HTML},*/*;q=0.8", None])
def test_json_is_given_to_every_client_that_takes_it(client, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get("/api/tasks/", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_the_browsable_api_answers_html_in_development(client, settings):
    settings.DEBUG = True
    response = client.get("/api/tasks/", HTTP_ACCEPT=HTML)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(HTML)
    assert b"Django REST framework" in response.content
