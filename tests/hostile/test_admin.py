"""Hostile input on the main admin forms: never a 5xx, always a form error, a redirect or a 4xx.

Each form is opened, its own fields give a valid submission, and every field is then replaced
in turn by values of the kinds that break things: NUL characters, several values for one,
ids no row can have, calendar edges in the time zones where they overflow, JSON nested too
deep. Inline rows and their management form are fields like any other.
"""

import re
from urllib.parse import urlencode

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from portal.tasks.services import comment_add, task_create
from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory, UserFactory

HUGE_IDS = {"2**63": "9223372036854775808", "2**70": str(2**70), "-1": "-1", "text": "abc"}
BY_KIND = {
    "text": {"long": "x" * 10_000},
    "choice": {"unknown": "abc"},
    "bool": {},
    "number": {"2**63": HUGE_IDS["2**63"], "-1": "-1", "text": "abc"},
    "id": HUGE_IDS,
    "json": {
        "brackets": "[" * 3000 + "]" * 3000,
        "too-deep": '{"a":' * 40 + "1" + "}" * 40,
        "nul": '{"a": "x\\u0000"}',
        "nul-key": '{"\\u0000": 1}',
    },
    "date": {"first": "0001-01-01", "last": "9999-12-31", "text": "abc"},
}
EVERY_FIELD = {"nul": "a\x00b", "several": ["1", "2"]}
# Split date and time fields, with the zone each edge overflows in when converted to UTC.
DATETIMES = {
    "first-ahead": (("0001-01-01", "00:00:00"), "Pacific/Kiritimati"),  # UTC+14
    "last-behind": (("9999-12-31", "23:59:59"), "Etc/GMT+12"),  # UTC-12
    "first-utc": (("0001-01-01", "00:00:00"), "UTC"),
    "last-utc": (("9999-12-31", "23:59:59"), "UTC"),
    "nul": (("\x00", "\x00"), "UTC"),
    "text": (("abc", "25:61"), "UTC"),
}
# Initial values from the address of an add page (?field=value), for relation fields.
INITIAL_QUERIES = ["abc", "9223372036854775808", "-1", "1,abc,9223372036854775808"]


def kind(field: forms.Field) -> str:
    if isinstance(field, forms.SplitDateTimeField):
        return "datetime"
    if isinstance(field, forms.JSONField):
        return "json"
    if isinstance(field, forms.ModelChoiceField):
        return "id"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return "number"
    if isinstance(field, forms.BooleanField):
        return "bool"
    if isinstance(field, forms.ChoiceField):
        return "choice"
    if isinstance(field, forms.DateField | forms.TimeField | forms.DateTimeField):
        return "date"
    return "text"


def page_forms(response):
    """(form, whether to vary its fields) for the page's form, inline rows and their counts."""
    yield response.context["adminform"].form, True
    for inline in response.context["inline_admin_formsets"]:
        yield inline.formset.management_form, True
        editable = inline.has_add_permission or inline.has_change_permission
        for form in inline.formset.forms:
            yield form, editable  # read-only rows are posted as they are


def submission(response) -> tuple[dict, dict]:
    """What the page would post unchanged, and each posted name's kind."""
    data, kinds = {}, {}
    for form, vary in page_forms(response):
        for name, field in form.fields.items():
            if field.disabled:
                continue
            key, value = form.add_prefix(name), form[name].value()
            field_kind = kind(field)
            if vary:
                kinds[key] = field_kind
            if field_kind == "datetime":
                for i, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{i}"] = "" if part is None else str(part)
            elif field_kind == "bool":
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = "" if value is None else str(value)
    return data, kinds


def cases(data: dict, kinds: dict):
    """(label, posted data, time zone) for every field and every hostile value of its kind."""
    for key, field_kind in kinds.items():
        if key.endswith(("MIN_NUM_FORMS", "MAX_NUM_FORMS")):
            continue  # not read by Django
        if re.search(r"-[1-9]\d*-", key):
            continue  # the first row of an inline stands for all of them
        if field_kind == "datetime":
            for label, ((day, time), zone) in DATETIMES.items():
                yield f"{key}={label}", {**data, f"{key}_0": day, f"{key}_1": time}, zone
            continue
        for label, value in {**EVERY_FIELD, **BY_KIND[field_kind]}.items():
            yield f"{key}={label}", {**data, key: value}, "UTC"


def sweep(client, url) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    data, kinds = submission(page)
    assert kinds, "the page shows no form"
    failures, statuses = [], set()
    for label, posted, zone in cases(data, kinds):
        with timezone.override(zone):
            response = client.post(url, posted)
        statuses.add(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code}")
    assert 200 in statuses, "no submission was shown back with its errors"
    return failures


@pytest.fixture
def world(team, lead, member, superuser):
    MembershipFactory(team=team, user=UserFactory(username="aaron"), role=Role.VIEWER)
    tag = TagFactory(name="infra")
    parent = task_create(actor=lead, team=team, title="Parent")
    task = task_create(
        actor=lead, team=team, title="Child", parent=parent, assignees=[member], tags=[tag]
    )
    comment = comment_add(actor=lead, task=task, body="on it")
    return {"task": task, "comment": comment, "tag": tag}


FORMS = {
    "task add": ("lead", lambda w: reverse("admin:tasks_task_add")),
    "task change": ("lead", lambda w: reverse("admin:tasks_task_change", args=[w["task"].pk])),
    "team change": (
        "lead",
        lambda w: reverse("admin:teams_team_change", args=[w["task"].team_id]),
    ),
    "tag add": ("member", lambda w: reverse("admin:tasks_tag_add")),
    "comment change": (
        "lead",
        lambda w: reverse("admin:tasks_comment_change", args=[w["comment"].pk]),
    ),
    "user change": (
        "superuser",
        lambda w: reverse("admin:accounts_user_change", args=[w["task"].created_by_id]),
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_hostile_form_posts(client, people, world, name):
    role, url = FORMS[name]
    client.force_login(people[role])
    assert sweep(client, url(world)) == []


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("task add", ["team", "assignees", "tags", "parent"]),
        ("tag add", ["name", "color"]),
    ],
)
def test_hostile_initial_values_in_the_address(client, people, world, name, fields):
    role, url = FORMS[name]
    client.force_login(people[role])
    failures = []
    for field in fields:
        for value in INITIAL_QUERIES:
            response = client.get(url(world), {field: value})
            if response.status_code != 200:
                failures.append(f"{field}={value}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize(
    "query",
    [
        {"q": "a\x00"},
        {"status__exact": "\x00"},
        {"o": "abc"},
        {"o": "99"},
        {"o": "1.-"},
        {"p": "abc"},
        {"p": "-1"},
        {"p": "9223372036854775808"},
        {"q": "x" * 5000},
        {"q": "OPS-9223372036854775808"},
        {"_to_field": "abc"},
        {"team": "99999999999999999999"},
        {"assignee": "9223372036854775808"},
        {"status": "nope"},
        {"overdue": "maybe"},
        {"is_archived": "\x00"},
        {"due_date_from_0": "0001-01-01", "due_date_from_1": "00:00:00"},
        {"due_date_to_0": "9999-12-31", "due_date_to_1": "23:59:59"},
        {"completed_at_from_0": "not a date"},
    ],
)
def test_hostile_list_queries(client, people, world, query):
    client.force_login(people["lead"])
    for model in ("task", "tag", "comment"):
        response = client.get(reverse(f"admin:tasks_{model}_changelist"), query)
        assert response.status_code < 500, (model, query)
    response = client.get(reverse("admin:teams_team_changelist"), query)
    assert response.status_code < 500, ("team", query)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/admin/login/", "username"),
        ("/accounts/login/", "login"),
        ("/api/auth/login/", "username"),
    ],
)
def test_hostile_sign_in_names(client, db, path, field):
    failures = []
    for label, value in {"long": "x" * 10_000, "nul": "a\x00b", "several": ["a", "b"]}.items():
        response = client.post(path, {field: value, "password": "Wrong-pass-2026!"})
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code}")
    assert failures == []


EXPORTS = ["tasks_task", "tasks_tag", "tasks_comment", "teams_team", "accounts_user"]


@pytest.mark.parametrize("model", EXPORTS)
@pytest.mark.parametrize(
    "query",
    [
        {"foo": "1"},
        {"archived": "all"},
        {"due_before": "2026-01-01"},
        {"due_before": "2026-02-30"},
        {"_changelist_filters": "foo=1", "bar": "1"},
    ],
)
def test_exports_with_parameters_the_list_does_not_know(client, people, world, model, query):
    from portal.adminsite.exports import EXPORT_FILTERS_UNKNOWN

    client.force_login(people["superuser"])
    for method in (client.get, client.post):
        url = reverse(f"admin:{model}_export") + "?" + urlencode(query)
        response = method(url, {"format": "1"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse(f"admin:{model}_changelist")
        assert EXPORT_FILTERS_UNKNOWN in [str(m) for m in response.context["messages"]]
