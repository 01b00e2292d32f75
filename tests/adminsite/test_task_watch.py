"""Watching from the task's admin page: Watch / Unwatch (a dialog that POSTs) through the
notifications services, and the watchers listed read-only."""

import pytest
from django.urls import reverse

from portal.adminsite.tasks import NO_WATCHERS, NOT_WATCHING, WATCHING
from portal.notifications.models import Watch
from portal.tasks import services as ts

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(team, lead):
    return ts.task_create(actor=lead, team=team, title="Fix the printer")


def change(task):
    return reverse("admin:tasks_task_change", args=[task.pk])


def watch_url(task, name="watch"):
    return reverse(f"admin:tasks_task_{name}", args=[task.pk])


def test_watch_and_unwatch_from_the_task_page(client, task, viewer):
    client.force_login(viewer)  # a viewer may not edit the task, but may watch it
    page = client.get(change(task)).content.decode()
    assert f'href="{watch_url(task)}"' in page and watch_url(task, "unwatch") not in page
    assert NO_WATCHERS in page

    dialog = client.get(watch_url(task))  # GET asks, changes nothing
    assert dialog.status_code == 200 and 'id="dialog"' in dialog.content.decode()
    assert not Watch.objects.filter(user=viewer).exists()

    response = client.post(watch_url(task), {"_form_submitted": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == change(task)
    assert Watch.objects.filter(task=task, user=viewer).exists()
    page = response.content.decode()
    assert WATCHING.format(key=task.key) in page
    assert f'href="{watch_url(task, "unwatch")}"' in page and watch_url(task) + '"' not in page
    assert viewer.display_name in page

    htmx = client.post(
        watch_url(task, "unwatch"), {"_form_submitted": "on"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and htmx["HX-Redirect"] == change(task)
    assert not Watch.objects.filter(user=viewer).exists()
    assert NOT_WATCHING.format(key=task.key) in client.get(change(task)).content.decode()


def test_the_watchers_are_listed_by_name(client, task, lead, member):
    ts.task_update(actor=lead, task=task, assignees=[member])
    Watch.objects.create(task=task, user=lead)
    Watch.objects.create(task=task, user=member)
    client.force_login(lead)
    page = client.get(change(task)).content.decode()
    assert f"{lead.display_name}, {member.display_name}" in page


def test_the_actions_refuse_what_does_not_apply_and_other_teams(client, task, member, outsider):
    client.force_login(member)
    assert client.post(watch_url(task, "unwatch"), {"_form_submitted": "on"}).status_code == 403
    client.post(watch_url(task), {"_form_submitted": "on"})
    assert client.post(watch_url(task), {"_form_submitted": "on"}).status_code == 403
    client.force_login(outsider)
    assert client.post(watch_url(task), {"_form_submitted": "on"}).status_code == 404
    assert client.get(reverse("admin:tasks_task_watch", args=["12x"])).status_code == 404
    assert not Watch.objects.filter(user=outsider).exists()


def test_saving_the_task_form_keeps_working(client, task, member):
    """The watchers are a read-only line: the form posts exactly what it posted before."""
    client.force_login(member)
    data = {
        "title": "Fix the printer again",
        "status": "todo",
        "priority": "medium",
        "comments-TOTAL_FORMS": "1",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1",
        "comments-0-body": "",
    }
    response = client.post(change(task), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert task.title == "Fix the printer again"
