"""OpenAPI document, its viewers, and a schemathesis run over every operation.

The run is bounded (a few examples per operation) and authenticated as an administrator,
so every operation is reachable; ids in paths point at real rows half of the time.
Checks: no 5xx, documented status codes and content types, bodies matching the schema.
"""

import re
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from rest_framework.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.events.services import events_dispatch
from portal.jobs.runner import run_job
from portal.notifications.models import Notification
from portal.savedviews.services import saved_view_create
from portal.spreadsheets.services import sheet_export_start
from portal.tasks.services import comment_add, task_create
from portal.teams.models import Role
from portal.webhooks.services import endpoint_create
from tests.factories import MembershipFactory, TagFactory, UserFactory

EXAMPLES = 12


def test_schema_is_openapi_3_with_jwt_security(anon, db):
    response = anon.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert {"jwtAuth": []} in schema["paths"]["/api/tasks/"]["get"]["security"]
    assert "401" in schema["paths"]["/api/tasks/"]["get"]["responses"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_viewers_load_their_assets_from_this_server(anon, db, path):
    response = anon.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    # Every script, style sheet and image the page loads comes from this server (a path on
    # it, not another host); the nonces of the inline scripts are random and are not looked at.
    assets = re.findall(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert assets
    assert [a for a in assets if not a.startswith("/") or a.startswith("//")] == []
    text = re.sub(r'nonce="[^"]*"', "", html).lower()
    assert "cdn." not in text and "unpkg" not in text and "cdnjs" not in text


@contextmanager
def _connection_kept_open():
    """Requests go straight to the WSGI app, which closes "old" connections when a request
    ends; inside a test's transaction that would close it. Django's own test client
    disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, settings, tmp_path):
    """A team with people, tags, tasks and comments, a finished spreadsheet export, and an
    administrator's token."""
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    lead = UserFactory(username="olivia")
    team = MembershipFactory(user=lead, role=Role.LEAD).team
    MembershipFactory(team=team, role=Role.MEMBER)
    tag = TagFactory()
    task = task_create(actor=lead, team=team, title="Seed", tags=[tag], assignees=[lead])
    comment_add(actor=lead, task=task, body="Seed comment @admin")
    events_dispatch()  # the administrator's notification of the mention
    note = Notification.objects.get(user=admin)
    settings.SHARED_DIR = tmp_path
    export = sheet_export_start(user=admin, sheet="tasks", fmt="csv")
    run_job(export.pk)
    endpoint = endpoint_create(actor=lead, team=team, url="https://93.184.215.14/hook")
    view = saved_view_create(actor=admin, team=team, kind="list", name="Seed", shared=True)
    access = RefreshToken.for_user(admin).access_token
    rates = {**api_settings.DEFAULT_THROTTLE_RATES}
    rates.update(anon="100000/min", user="100000/min", login="100000/min")
    rates.update(registration="100000/min", password_reset="100000/min")
    from django.conf import settings as django_settings

    with (
        _connection_kept_open(),
        override_settings(
            REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        ),
    ):
        yield {
            "headers": {"Authorization": f"Bearer {access}"},
            "ids": {
                "id": {
                    "tasks": task.pk,
                    "teams": team.pk,
                    "users": lead.pk,
                    "tags": tag.pk,
                    "spreadsheet-jobs": export.pk,
                    "notifications": note.pk,
                    "webhooks": endpoint.pk,
                    "views": view.pk,
                }
            },
            "user_id": lead.pk,
            "newcomer_id": UserFactory(username="newcomer").pk,
        }


def _load_schema():
    from portal.wsgi import application

    # Loaded at collection time (pytest-django has set Django up by then); the schema view
    # needs no database.
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


schema = _load_schema()


def _point_at_real_rows(case, world):
    """Even ids (in paths, and team / user_id in bodies) become real rows; odd ones stay."""
    params = case.path_parameters or {}
    kind = case.path.split("/")[2]
    for name in ("id", "user_id"):
        value = str(params.get(name, ""))
        if value.isascii() and value.isdigit() and int(value) % 2 == 0:
            params[name] = world["user_id"] if name == "user_id" else world["ids"]["id"][kind]
    body = case.body if isinstance(case.body, dict) else {}
    for name, real in (("team", world["ids"]["id"]["teams"]), ("user_id", world["newcomer_id"])):
        value = body.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            body[name] = real


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_conforms_to_the_schema(case, world):
    _point_at_real_rows(case, world)
    response = case.call(headers=world["headers"])
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
        headers=world["headers"],
    )


# --- what the schema declares is what the API takes --------------------------------------------
FILTER_VALUES = {
    "team": ["1", "OPS", "ops", "0", "-1", "A", "ABCDEFGHIJK", "1" * 20, "O P"],
    "assignee": ["me", "NONE", "5", "0", "bob", "-2"],
    "parent": ["none", "7", "x", "0"],
    "created_by": ["1", "0", "-3", "abc", "1.5"],
    "overdue": ["true", "Yes", "0", "maybe"],
    "is_archived": ["all", "ALL", "false", "x"],
    "due_after": [
        "2026-12-31",
        "2026-12-31T17:00",
        "2026-12-31T17:00:00.123456+15:59",
        "2026-12-31T17:00:00Z",
        "2026-12-31T24:00",
        "31/12/2026",
        "soon",
    ],
    "completed_before": ["2026-02-28T00:00:00-15:00", "2026-02-28T00:00:00-1500", "1"],
}


def _parameters(schema, path="/api/tasks/", method="get"):
    return {p["name"]: p for p in schema["paths"][path][method]["parameters"]}


@pytest.mark.parametrize("name", FILTER_VALUES)
def test_a_filter_value_matches_the_schema_exactly_when_the_api_takes_it(
    client_for, member, task, name
):
    client = client_for(member)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    pattern = _parameters(schema)[name]["schema"]["pattern"]
    for value in FILTER_VALUES[name]:
        status = client.get("/api/tasks/", {name: value}).status_code
        assert status in (200, 400), (name, value)
        assert bool(re.fullmatch(pattern, value)) == (status == 200), (name, value, status)


def test_ids_orderings_and_lists_are_declared(anon, db):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    id_schema = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    member = _parameters(schema, "/api/teams/{id}/members/{user_id}/", "patch")
    assert member["id"]["schema"] == member["user_id"]["schema"] == id_schema
    task = schema["components"]["schemas"]["TaskRequest"]["properties"]
    # A task's team: an id, or its key or slug (text that is not all digits).
    assert task["team"]["oneOf"][0] == id_schema
    team_name = task["team"]["oneOf"][1]["pattern"]
    assert [bool(re.fullmatch(team_name, v)) for v in ("OPS", "operations", "42", "-x")] == [
        True,
        True,
        False,
        False,
    ]
    assert task["assignee_ids"] == {**task["assignee_ids"], "items": id_schema, "maxItems": 100}
    ordering = _parameters(schema)["ordering"]
    assert (ordering["style"], ordering["explode"]) == ("form", False)
    assert "-due_date" in ordering["schema"]["items"]["enum"]
    assert task["metadata"]["type"] == "object"
    role = schema["components"]["schemas"]["PatchedMembershipRoleRequest"]
    assert role["required"] == ["role"]
    tag_400 = schema["paths"]["/api/tags/"]["post"]["responses"]["400"]["description"]
    assert "already exists" in tag_400
    assert "413" in schema["paths"]["/api/tasks/"]["post"]["responses"]


def test_the_file_format_pattern_matches_what_the_template_takes(client_for, member):
    client = client_for(member)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = _parameters(schema, "/api/tasks/import/template/")
    pattern = parameters["file_format"]["schema"]["pattern"]
    for value in ["", "csv", "XLSX", "pdf", "c"]:
        status = client.get("/api/tasks/import/template/", {"file_format": value}).status_code
        assert bool(re.fullmatch(pattern, value)) == (status == 200), (value, status)


def test_text_patterns_leave_out_nul_and_blank_text_that_is_refused(client_for, member, task):
    client = client_for(member)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    body = components["CommentRequest"]["properties"]["body"]["pattern"]
    refresh = components["TokenRefreshRequest"]["properties"]["refresh"]["pattern"]
    for text in ["   ", "a\x00b", "Ordered"]:
        status = client.post(f"/api/tasks/{task.pk}/comments/", {"body": text}).status_code
        assert bool(re.fullmatch(body, text)) == (status == 201), (text, status)
    assert re.fullmatch(refresh, "x\x00") is None
    answer = client.post("/api/auth/token/refresh/", {"refresh": "x\x00"})
    assert answer.status_code == 400


def test_the_due_within_pattern_is_exactly_the_days_the_filter_takes():
    import re

    from portal.api.filters import DAYS
    from portal.tasks.filters import DUE_WITHIN_MAX

    pattern = re.compile(f"^({DAYS})$")
    accepted = [n for n in range(0, DUE_WITHIN_MAX + 50) if pattern.match(str(n))]
    assert accepted == list(range(1, DUE_WITHIN_MAX + 1))
