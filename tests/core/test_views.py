import pytest
from django.test import Client

from portal.core.views import BODY_TOO_LARGE, NOT_FOUND, SERVER_ERROR


def test_favicon_ico_points_at_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/portal/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]


# --- error answers: JSON under /api/, the usual pages elsewhere --------------------------------


@pytest.fixture
def quiet_client():
    """A client that returns the 500 page instead of raising the view's exception."""
    return Client(raise_request_exception=False)


def test_a_crash_under_api_answers_json(quiet_client, member, monkeypatch):
    from portal.api.views import TaskViewSet

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(TaskViewSet, "list", crash)
    quiet_client.force_login(member)
    response = quiet_client.get("/api/tasks/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": SERVER_ERROR}


def test_a_crash_elsewhere_keeps_the_html_page(quiet_client, member, monkeypatch):
    from portal.tasks.admin.task import TaskAdmin

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(TaskAdmin, "get_queryset", crash)
    quiet_client.force_login(member)
    response = quiet_client.get("/admin/tasks/task/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/auth/login/", "/api/tasks/"])
def test_a_body_over_the_upload_limit_is_413_json(client, member, settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(member)
    response = client.generic(
        "POST", path, '{"title": "' + "x" * 2000 + '"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": BODY_TOO_LARGE.format(limit=1000)}


def test_too_many_query_parameters_is_400_json(client, member, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client.force_login(member)
    response = client.get("/api/tasks/?" + "&".join(f"f{i}=1" for i in range(20)))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_unknown_api_address_is_json_and_other_addresses_html(client, db):
    api = client.get("/api/no-such-thing/")
    assert (api.status_code, api.json()) == (404, {"detail": NOT_FOUND})
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
