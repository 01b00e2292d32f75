"""Every model registered in the admin: its pages answer for an administrator."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def admin_client_demo(client, db):
    call_command("demo", verbosity=0)
    from portal.accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_registered_model_pages(admin_client_demo, app, model):
    client = admin_client_demo
    changelist = reverse(f"admin:{app}_{model}_changelist")
    response = client.get(changelist)
    assert response.status_code == 200, changelist
    cl = response.context["cl"]

    # search (when the model has a search box) and every choice of every filter
    if cl.search_fields:
        assert client.get(changelist, {"q": "a"}).status_code == 200
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            query = choice.get("query_string")
            if query:
                assert client.get(changelist + query).status_code == 200, (spec.title, query)

    model_admin = admin.site._registry[cl.model]
    request = RequestFactory().get(changelist)
    request.user = response.wsgi_request.user
    if model_admin.has_add_permission(request):
        assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200

    first = cl.queryset.first()
    if first is not None:
        change = reverse(f"admin:{app}_{model}_change", args=[first.pk])
        assert client.get(change).status_code == 200, change
        history = reverse(f"admin:{app}_{model}_history", args=[first.pk])
        assert client.get(history).status_code == 200, history


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("1", 200),
        ("abc", 200),  # not a number: the first page
        ("-1", 200),
        ("0", 200),
        ("", 200),
        ("999", 404),  # past the end
        ("9" * 5000, 404),
    ],
)
def test_admin_search_pages(client, member, page, expected):
    from portal.adminsite.site import SEARCH_PAGE_MISSING

    client.force_login(member)
    response = client.get(reverse("admin:search"), {"s": "task", "page": page})
    assert response.status_code == expected
    if expected == 200:
        assert response.context["results"].number == 1
        assert len(response.context["results"].object_list) > 0
    else:
        assert str(response.context["exception"]) == SEARCH_PAGE_MISSING


def test_the_admin_login_opens_the_admin_and_honours_next(client, member):
    from tests.factories import PASSWORD

    data = {"username": "member", "password": PASSWORD}
    assert client.post("/admin/login/", data)["Location"] == "/admin/"
    client.logout()
    response = client.post("/admin/login/?next=/admin/tasks/task/", data)
    assert response["Location"] == "/admin/tasks/task/"
