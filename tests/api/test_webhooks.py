"""/api/webhooks/: leads manage their teams' endpoints; nobody else sees them; bad input is 400."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.events.services import events_dispatch
from portal.tasks import services as ts
from portal.teams.permissions import DENIED_MANAGE_TEAM
from portal.webhooks.addresses import URL_INVALID, URL_USERINFO
from portal.webhooks.models import Delivery, Endpoint
from portal.webhooks.services import endpoint_create
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HOOKS = "/api/webhooks/"
PUBLIC = "https://93.184.215.14/hook"


@pytest.fixture
def public_endpoint(team, lead):
    return endpoint_create(actor=lead, team=team, url=PUBLIC)


def test_a_lead_creates_reads_changes_and_deletes_an_endpoint(client_for, team, lead):
    api = client_for(lead)
    made = api.post(HOOKS, {"team": team.pk, "url": PUBLIC, "kinds": ["task.created"]}, "json")
    assert made.status_code == 201, made.json()
    body = made.json()
    endpoint = Endpoint.objects.get()
    assert body["secret"] == endpoint.secret and len(endpoint.secret) == 64
    assert (body["team"], body["kinds"], body["is_active"]) == (team.pk, ["task.created"], True)
    assert endpoint.created_by == lead
    assert api.get(HOOKS).json()["results"][0]["id"] == endpoint.pk
    changed = api.patch(f"{HOOKS}{endpoint.pk}/", {"kinds": [], "is_active": False}, "json")
    assert changed.status_code == 200 and changed.json()["kinds"] == []
    assert api.delete(f"{HOOKS}{endpoint.pk}/").status_code == 204
    assert not Endpoint.objects.exists()


def test_a_team_can_be_named_by_its_key(client_for, team, lead):
    made = client_for(lead).post(HOOKS, {"team": "OPS", "url": PUBLIC}, "json")
    assert made.status_code == 201 and made.json()["kinds"] == []


@pytest.mark.parametrize("who", ["outsider", "member", "viewer"])
def test_only_the_teams_leads_see_or_change_its_endpoints(client_for, people, public_endpoint, who):
    api = client_for(people[who])
    one = f"{HOOKS}{public_endpoint.pk}/"
    assert api.get(HOOKS).json()["results"] == []
    assert api.get(one).status_code == 404
    assert api.patch(one, {"url": PUBLIC + "2"}, "json").status_code == 404
    assert api.delete(one).status_code == 404
    assert api.get(f"{one}deliveries/").status_code == 404
    assert api.post(f"{one}test/").status_code == 404
    assert Endpoint.objects.get().url == PUBLIC


def test_a_member_cannot_add_an_endpoint_to_the_team(client_for, team, member):
    answer = client_for(member).post(HOOKS, {"team": team.pk, "url": PUBLIC}, "json")
    assert answer.status_code == 403 and answer.json()["detail"] == DENIED_MANAGE_TEAM


def test_a_lead_of_another_team_cannot_add_to_it(client_for, team, outsider):
    answer = client_for(outsider).post(HOOKS, {"team": team.pk, "url": PUBLIC}, "json")
    assert answer.status_code == 400 and "team" in answer.json()


def test_administrators_see_every_team(client_for, superuser, public_endpoint, other_team):
    endpoint_create(actor=superuser, team=other_team, url=PUBLIC)
    assert len(client_for(superuser).get(HOOKS).json()["results"]) == 2


def test_the_team_of_an_endpoint_does_not_change(client_for, lead, public_endpoint, other_team):
    MembershipFactory(user=lead, team=other_team, role="lead")
    api = client_for(lead)
    api.patch(f"{HOOKS}{public_endpoint.pk}/", {"team": other_team.pk}, "json")
    assert Endpoint.objects.get().team_id == public_endpoint.team_id


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://user:pw@93.184.215.14/", URL_USERINFO),
        ("ftp://93.184.215.14/", URL_INVALID),
        ("javascript:alert(1)", URL_INVALID),
        ("http://93.184.215.14/" + "a" * 10_000, None),
        ("http://93.184.215.14/\x00x", None),
        ("http://93.184.215.14/a\tb", "control characters"),
        ("http://127.0.0.1/hook", "a loopback address"),
        ("http://10.0.0.1/hook", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[::1]/hook", "a loopback address"),
        ("http://localhost/hook", "a loopback address"),
        ("", None),
        (12, None),
    ],
)
def test_hostile_urls_are_a_400_never_a_500(client_for, team, lead, url, message):
    answer = client_for(lead).post(HOOKS, {"team": team.pk, "url": url}, "json")
    assert answer.status_code == 400, answer.content
    errors = answer.json()["url"]
    if message:
        assert any(message in e for e in errors), errors
    assert not Endpoint.objects.exists()


def test_a_change_to_a_refused_address_is_a_400(client_for, lead, public_endpoint):
    answer = client_for(lead).patch(
        f"{HOOKS}{public_endpoint.pk}/", {"url": "http://10.1.2.3/"}, "json"
    )
    assert answer.status_code == 400 and "private" in answer.json()["url"][0]
    assert Endpoint.objects.get().url == PUBLIC


@pytest.mark.parametrize(
    "kinds", [["task.exploded"], "task.created", [1], ["ping"], ["x" * 5000], {"a": 1}]
)
def test_unknown_kinds_are_a_400(client_for, team, lead, kinds):
    answer = client_for(lead).post(HOOKS, {"team": team.pk, "url": PUBLIC, "kinds": kinds}, "json")
    assert answer.status_code == 400 and "kinds" in answer.json()


def test_deliveries_test_and_redeliver(client_for, team, lead, public_endpoint):
    api = client_for(lead)
    ts.task_create(actor=lead, team=team, title="A")
    events_dispatch()
    tested = api.post(f"{HOOKS}{public_endpoint.pk}/test/")
    assert tested.status_code == 202 and tested.json()["kind"] == "ping"
    listed = api.get(f"{HOOKS}{public_endpoint.pk}/deliveries/").json()["results"]
    assert [d["kind"] for d in listed] == ["ping", "task.created"]
    assert listed[1]["status"] == "pending" and listed[1]["attempt_log"] == []
    delivery = Delivery.objects.get(kind="task.created")
    Delivery.objects.filter(pk=delivery.pk).update(status="gave_up")
    again = api.post(f"{HOOKS}{public_endpoint.pk}/deliveries/{delivery.pk}/redeliver/")
    assert again.status_code == 202 and again.json()["status"] == "pending"
    # Another endpoint's delivery is not reachable through this one.
    other = endpoint_create(actor=lead, team=team, url=PUBLIC + "?b")
    wrong = api.post(f"{HOOKS}{other.pk}/deliveries/{delivery.pk}/redeliver/")
    assert wrong.status_code == 404
    assert api.post(f"{HOOKS}{public_endpoint.pk}/deliveries/{10**30}/redeliver/").status_code == (
        404
    )


def test_a_switched_off_endpoint_is_not_tested(client_for, lead, public_endpoint):
    api = client_for(lead)
    api.patch(f"{HOOKS}{public_endpoint.pk}/", {"is_active": False}, "json")
    answer = api.post(f"{HOOKS}{public_endpoint.pk}/test/")
    assert answer.status_code == 400 and "switched off" in str(answer.json())


def _count(api, path):
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_cost_the_same_for_few_and_many_rows(client_for, team, lead):
    api = client_for(lead)
    for n in range(2):
        endpoint_create(actor=lead, team=team, url=f"{PUBLIC}?{n}")
    ts.task_create(actor=lead, team=team, title="A")
    events_dispatch()
    first = Endpoint.objects.order_by("pk").first()
    few = (_count(api, HOOKS), _count(api, f"{HOOKS}{first.pk}/deliveries/"))
    for n in range(20):
        endpoint_create(actor=lead, team=team, url=f"{PUBLIC}?m{n}")
    for n in range(20):
        ts.task_create(actor=lead, team=team, title=f"T{n}")
    events_dispatch()
    many = (_count(api, HOOKS), _count(api, f"{HOOKS}{first.pk}/deliveries/"))
    assert few == many
