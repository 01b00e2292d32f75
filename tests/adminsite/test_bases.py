"""The service-backed admin base: saves and deletes go through services; refusals are errors."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.tasks.admin.tag import TagAdmin
from portal.tasks.models import Tag
from tests.factories import TagFactory

REFUSED = "Refused by the service."


def test_a_service_refusal_after_the_form_is_an_error_not_a_500(client, superuser, monkeypatch):
    tag = TagFactory(name="infra", color="#123456")

    def refuse(self, request, obj, changes):
        obj.name = changes["name"]
        obj.save()  # written, then refused: the admin's transaction must roll it back
        raise ValidationError(REFUSED)

    monkeypatch.setattr(TagAdmin, "service_update", refuse)
    client.force_login(superuser)
    url = reverse("admin:tasks_tag_change", args=[tag.pk])
    response = client.post(url, {"name": "renamed", "color": "#123456"})
    assert response.status_code == 302 and response["Location"] == url
    assert REFUSED in [str(m) for m in get_messages(response.wsgi_request)]
    assert Tag.objects.get(pk=tag.pk).name == "infra"


def test_saves_call_the_services(client, superuser, monkeypatch):
    tag = TagFactory(name="infra", color="#123456")
    calls = []
    original = TagAdmin.service_update

    def spy(self, request, obj, changes):
        calls.append(changes)
        return original(self, request, obj, changes)

    monkeypatch.setattr(TagAdmin, "service_update", spy)
    client.force_login(superuser)
    url = reverse("admin:tasks_tag_change", args=[tag.pk])
    assert client.post(url, {"name": "platform", "color": "#123456"}).status_code == 302
    assert calls == [{"name": "platform"}]
    assert Tag.objects.get(pk=tag.pk).name == "platform"


@pytest.mark.parametrize(
    "value", ["99999999999999999999", "9223372036854775808", "0", "\u0661", "x"]
)
def test_a_team_filter_value_no_team_can_have_shows_nothing(client, superuser, value):
    """The daily summaries' team filter: no 500 (SQLite overflows on such ids), no rows."""
    client.force_login(superuser)
    response = client.get("/admin/jobs/dailysummary/", {"team": value})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
