"""Hostile input on every API operation: never a 5xx, and every error is JSON.

The operations are read from the URL patterns of the router and the auth URLs, so a new
endpoint is swept as soon as it exists (and must get a valid body below if it takes one).
Each body field is replaced in turn by every hostile value; whole bodies are replaced by
malformed and deeply nested JSON; ids in the address are replaced by ids no row can have.
"""

import itertools
import json
import re

import pytest
from django.urls.resolvers import RoutePattern
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from portal.api.urls import auth_urls, router
from portal.core.validators import MAX_JSON_DEPTH
from portal.notifications.models import Notification
from portal.savedviews.services import saved_view_create
from portal.tasks.services import comment_add, custom_field_create, task_create
from portal.teams.models import Role
from portal.webhooks.services import endpoint_create, endpoint_send_test
from tests.factories import PASSWORD, MembershipFactory, TagFactory, UserFactory

DEEP = json.loads("[" * (MAX_JSON_DEPTH + 8) + "]" * (MAX_JSON_DEPTH + 8))
VALUES = {
    "nul": "a\x00b",
    "nul-key": {"a\x00": "b"},
    "2**63": 2**63,
    "2**70": 2**70,
    "-1": -1,
    "2**63-text": "9223372036854775808",
    "first-instant": "0001-01-01T00:00:00+00:01",
    "last-instant": "9999-12-31T23:59:59-00:01",
    "first-day": "0001-01-01T00:00:00Z",
    "last-day": "9999-12-31T23:59:59Z",
    "list": ["a", "b"],
    "object": {"a": 1},
    "bool": True,
    "null": None,
    "empty": "",
    "long": "x" * 10_000,
    "float": 1.5,
    "odd-ids": [2**63, 2**70, -1, "a", None],
    "deep": DEEP,
}
RAW_BODIES = {
    "brackets": "[" * 3000 + "]" * 3000,
    "objects": '{"a":' * 3000 + "1" + "}" * 3000,
    "truncated": '{"title": "x"',
    "not-an-object": "[1, 2]",
    "string": '"text"',
    "number": "1e999",
    "nan": '{"title": NaN}',
    "null": "null",
    "empty": "",
    "nul-keys": '{"\\u0000": 1, "ti\\u0000tle": "x"}',
}
PATH_IDS = ["9223372036854775808", str(2**70), "-1", "0", "abc", "%00"]
# Query strings for every read: paging, search and ordering as every list takes them.
QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=9223372036854775808",
    "page_size=-1",
    "page_size=abc",
    "page_size=9223372036854775808",
    "search=%00",
    "search=" + "x" * 5000,
    "search=OPS-9223372036854775808",
    "ordering=",
    "ordering=-",
    "ordering=,",
    "ordering=due_date,",
    "team=9223372036854775808",
    "assignee=9223372036854775808",
    "parent=9223372036854775808",
    "created_by=99999999999999999999",
    "due_before=0001-01-01T00:00:00%2B00:01",
    "due_after=9999-12-31T23:59:59-00:01",
    "due_before=2026-02-30",
    "due_after=2026-13-01",
    "due_after=2026-00-10",
    "completed_before=0000-00-00",
    "completed_after=0000-01-01",
    "completed_after=2026-01-01T25:00",
    "completed_before=0274-07-25T13:32:13.4%2B20:54",
    "overdue=maybe",
    "status=%00",
    "format=xml",
    "%00=1",
]


# --- the operations, from the URL patterns -----------------------------------------------------
def _template(pattern) -> str:
    if isinstance(pattern.pattern, RoutePattern):
        return str(pattern.pattern)
    text = pattern.pattern.regex.pattern.lstrip("^").rstrip("$")
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)


def _operations() -> list[tuple[str, str, str]]:
    """(route name, method, path template) for every operation of the API."""
    found = []
    for prefix, patterns in (("", router.urls), ("auth/", auth_urls)):
        for pattern in patterns:
            template = prefix + _template(pattern)
            if "{format}" in template or pattern.name == "api-root":
                continue
            view = pattern.callback
            allowed = set(view.cls.http_method_names) - {"head", "options"}
            if getattr(view, "actions", None):
                methods = set(view.actions) & allowed
            else:
                methods = {m for m in allowed if hasattr(view.cls, m)}
            found += [(pattern.name, method, template) for method in sorted(methods)]
    return sorted(found)


OPERATIONS = _operations()
READS = [op for op in OPERATIONS if op[1] == "get"]
BODY_OPERATIONS = [op for op in OPERATIONS if op[1] in ("post", "put", "patch")]
ID_OPERATIONS = [op for op in OPERATIONS if "{" in op[2]]


def _ids(operations) -> list[str]:
    return [f"{method.upper()} {template}" for _, method, template in operations]


# --- a world to send them to -------------------------------------------------------------------
@pytest.fixture
def world(team, lead, member, superuser, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the endpoint below points at this machine
    newcomer = UserFactory(username="newcomer")
    MembershipFactory(team=team, user=superuser, role=Role.LEAD)
    tag = TagFactory(name="infra")
    task = task_create(actor=lead, team=team, title="Fix the printer", assignees=[member])
    comment_add(actor=member, task=task, body="on it")
    # The signed-in administrator's own comment: only its author may change it.
    mine = comment_add(actor=superuser, task=task, body="noted")
    endpoint = endpoint_create(actor=superuser, team=team, url="http://127.0.0.1:9/hook")
    delivery = endpoint_send_test(actor=superuser, endpoint=endpoint)
    note = Notification.objects.create(user=superuser, kind="assigned", task=task, team_id=team.pk)
    field = custom_field_create(
        actor=lead, team=team, name="Severity", key="severity", type="choice", choices=["S1"]
    )
    view = saved_view_create(
        actor=superuser, team=team, kind="list", name="Mine", params={"priority": "high"}
    )
    refresh = RefreshToken.for_user(superuser)
    return {
        "pk": {
            "team": team.pk,
            "user": member.pk,
            "tag": tag.pk,
            "task": task.pk,
            "comment": mine.pk,
            "webhook": endpoint.pk,
            "notification": note.pk,
            "saved": view.pk,
        },
        "user_id": member.pk,
        "task_pk": task.pk,
        "delivery_id": delivery.pk,
        "field_id": field.pk,
        "bodies": {
            ("login", "post"): {"username": "root", "password": PASSWORD},
            ("logout", "post"): {"refresh": str(refresh)},
            ("token-refresh", "post"): {"refresh": str(refresh)},
            ("token-verify", "post"): {"token": str(refresh.access_token)},
            ("user", "patch"): {"first_name": "Ann", "last_name": "Lee"},
            ("user", "put"): {"first_name": "Ann", "last_name": "Lee"},
            ("password-change", "post"): {
                "old_password": PASSWORD,
                "new_password1": "Other-pass-2026!",
                "new_password2": "Other-pass-2026!",
            },
            ("password-reset", "post"): {"email": "root@example.com"},
            ("password-reset-confirm", "post"): {
                "uid": "1",
                "token": "abc",
                "new_password1": "Other-pass-2026!",
                "new_password2": "Other-pass-2026!",
            },
            ("registration", "post"): {
                "username": "hostile",
                "email": "hostile@example.com",
                "password1": "Hostile-pass-2026!",
                "password2": "Hostile-pass-2026!",
            },
            ("team-list", "post"): {"name": "Data", "key": "DAT", "description": "numbers"},
            ("team-detail", "patch"): {"name": "Ops", "key": "OPS", "description": "ops"},
            ("team-members", "post"): {"user_id": newcomer.pk, "role": "member"},
            ("team-member", "patch"): {"role": "viewer"},
            ("team-custom-fields", "post"): {"name": "Points", "key": "points", "type": "number"},
            ("team-custom-field", "patch"): {"name": "Sev", "choices": [{"label": "S2"}]},
            ("tag-list", "post"): {"name": "new", "color": "#123456"},
            **{
                ("task-list" if method == "post" else "task-detail", method): {
                    "team": team.pk,
                    "title": "Renew",
                    "description": "soon",
                    "status": "todo",
                    "priority": "high",
                    "due_date": "2030-01-01T00:00:00Z",
                    "estimated_hours": "2.5",
                    "actual_hours": "1",
                    "assignee_ids": [member.pk],
                    "tag_ids": [tag.pk],
                    "parent": None,
                    "metadata": {"source": "api"},
                }
                for method in ("post", "put", "patch")
            },
            ("task-assign", "post"): {"assignee_ids": [member.pk]},
            ("task-comments", "post"): {"body": "hello"},
            **{("comment-detail", method): {"body": "edited"} for method in ("put", "patch")},
            ("webhook-list", "post"): {
                "team": team.pk,
                "url": "http://127.0.0.1:9/other",
                "kinds": ["task.created"],
                "is_active": True,
            },
            ("webhook-detail", "patch"): {"url": "http://127.0.0.1:9/moved", "kinds": []},
            ("saved-view-list", "post"): {
                "name": "Urgent",
                "kind": "list",
                "team": team.pk,
                "params": {"priority": "urgent"},
            },
            ("saved-view-detail", "patch"): {"name": "Renamed", "params": {"status": "todo"}},
        },
        "client": APIClient(),
        "access": f"Bearer {refresh.access_token}",
    }


_addresses = itertools.count(1)


def send(world, method, path, body=None, raw=None):
    """One request from a new client address (so rate limits never hide an answer)."""
    n = next(_addresses)
    extra = {
        "REMOTE_ADDR": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        "HTTP_AUTHORIZATION": world["access"],
    }
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    return world["client"].generic(
        method.upper(), "/api/" + path, data, content_type="application/json", **extra
    )


def problem(response) -> str | None:
    """Why an answer is wrong (a 5xx, or an error that is not JSON), else None."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    if response.status_code == 204:
        return None
    if response["Content-Type"] != "application/json":
        return f"{response.status_code} {response['Content-Type']}"
    try:
        json.loads(response.content)
    except ValueError:
        return f"{response.status_code} body is not JSON"
    return None


def _path(world, name, template) -> str:
    kind = name.split("-")[0]
    return template.format(
        pk=world["pk"].get(kind, world["pk"]["task"]),
        user_id=world["user_id"],
        task_pk=world["task_pk"],
        delivery_id=world["delivery_id"],
        field_id=world["field_id"],
    )


# --- the sweeps --------------------------------------------------------------------------------
def test_every_operation_that_takes_a_body_has_one(world):
    takes_body = {(n, m) for n, m, _ in OPERATIONS if m in ("post", "put", "patch")}
    no_body = {
        ("task-archive", "post"),
        ("task-unarchive", "post"),
        ("task-watch", "post"),
        ("notification-read", "post"),
        ("notification-read-all", "post"),
        ("webhook-test", "post"),
        ("webhook-redeliver", "post"),
    }
    assert takes_body - no_body <= set(world["bodies"]), "add a valid body for the new operation"
    assert len(OPERATIONS) >= 30


@pytest.mark.parametrize(("name", "method", "template"), BODY_OPERATIONS, ids=_ids(BODY_OPERATIONS))
def test_hostile_bodies(world, name, method, template):
    base = world["bodies"].get((name, method), {})
    bodies = [
        (f"{field}={label}", {**base, field: v}) for field in base for label, v in VALUES.items()
    ]
    bodies += [(f"raw {label}", raw) for label, raw in RAW_BODIES.items()]
    failures = []
    for label, body in bodies:
        raw = body if isinstance(body, str) else None
        response = send(world, method, _path(world, name, template), body, raw)
        if reason := problem(response):
            failures.append(f"{label}: {reason}")
    assert failures == []


@pytest.mark.parametrize(("name", "method", "template"), ID_OPERATIONS, ids=_ids(ID_OPERATIONS))
def test_ids_no_row_can_have_are_404(world, name, method, template):
    failures = []
    for param in re.findall(r"{(\w+)}", template):
        for bad in PATH_IDS:
            path = _path(world, name, template.replace("{" + param + "}", bad))
            response = send(world, method, path, world["bodies"].get((name, method)))
            if response.status_code != 404 or problem(response):
                failures.append(f"{param}={bad}: {response.status_code} {response['Content-Type']}")
    assert failures == []


@pytest.mark.parametrize(("name", "method", "template"), READS, ids=_ids(READS))
def test_hostile_query_strings(world, name, method, template):
    failures = []
    for query in QUERIES:
        response = send(world, method, f"{_path(world, name, template)}?{query}")
        if reason := problem(response):
            failures.append(f"?{query}: {reason}")
    assert failures == []
