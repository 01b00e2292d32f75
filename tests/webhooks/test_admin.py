"""The admin's webhook pages: scoped to the teams a person leads; actions go through services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.events.services import events_dispatch
from portal.tasks import services as ts
from portal.webhooks.models import Delivery, DeliveryStatus, Endpoint
from portal.webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.215.14/hook"
ENDPOINTS = reverse("admin:webhooks_endpoint_changelist")
DELIVERIES = reverse("admin:webhooks_delivery_changelist")


@pytest.fixture
def endpoint(team, lead):
    return endpoint_create(actor=lead, team=team, url=PUBLIC)


def test_a_lead_adds_an_endpoint_and_sees_its_secret(client, team, lead):
    client.force_login(lead)
    answer = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"team": team.pk, "url": PUBLIC, "kinds": ["task.created"], "is_active": "on"},
    )
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    endpoint = Endpoint.objects.get()
    assert endpoint.kinds == ["task.created"] and endpoint.created_by == lead
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()


def test_a_refused_address_is_a_form_error(client, team, lead):
    client.force_login(lead)
    answer = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"team": team.pk, "url": "http://169.254.169.254/latest", "is_active": "on"},
    )
    assert answer.status_code == 200
    assert "cloud metadata" in str(answer.context["adminform"].form.errors["url"])
    assert not Endpoint.objects.exists()


def test_another_teams_lead_neither_sees_nor_opens_it(client, endpoint, outsider):
    client.force_login(outsider)
    assert endpoint.url not in client.get(ENDPOINTS).content.decode()
    change = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    assert client.get(change).status_code == 404
    answer = client.post(change, {"url": "https://93.184.215.15/", "is_active": "on"})
    assert answer.status_code == 404 and Endpoint.objects.get().url == PUBLIC


def test_members_do_not_get_the_pages(client, endpoint, member):
    client.force_login(member)
    assert client.get(ENDPOINTS).status_code == 403
    assert client.get(DELIVERIES).status_code == 403


def test_send_a_test_event_and_redeliver(client, team, lead, endpoint):
    client.force_login(lead)
    answer = client.post(
        ENDPOINTS, {"action": "send_test", "_selected_action": [endpoint.pk]}, follow=True
    )
    assert "Test event queued" in answer.content.decode()
    ping = Delivery.objects.get(kind="ping")
    Delivery.objects.filter(pk=ping.pk).update(status=DeliveryStatus.FAILED)
    client.post(DELIVERIES, {"action": "redeliver", "_selected_action": [ping.pk]})
    assert Delivery.objects.get(pk=ping.pk).status == DeliveryStatus.PENDING
    page = client.get(reverse("admin:webhooks_delivery_change", args=[ping.pk]))
    assert page.status_code == 200


def test_deliveries_are_read_only(client, lead, endpoint, superuser):
    ping = Delivery.objects.create(endpoint=endpoint, kind="ping", retry_until=endpoint.created_at)
    client.force_login(superuser)
    change = reverse("admin:webhooks_delivery_change", args=[ping.pk])
    client.post(change, {"status": "succeeded"})
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert client.get(reverse("admin:webhooks_delivery_add")).status_code == 403


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_cost_the_same_for_few_and_many_rows(client, team, lead):
    client.force_login(lead)
    endpoint_create(actor=lead, team=team, url=PUBLIC)
    ts.task_create(actor=lead, team=team, title="A")
    events_dispatch()
    few = (_count(client, ENDPOINTS), _count(client, DELIVERIES))
    for n in range(15):
        endpoint_create(actor=lead, team=team, url=f"{PUBLIC}?{n}")
        ts.task_create(actor=lead, team=team, title=f"T{n}")
    events_dispatch()
    many = (_count(client, ENDPOINTS), _count(client, DELIVERIES))
    assert few == many
