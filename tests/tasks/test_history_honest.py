"""The history never reports a change that did not happen, however a task was created."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from portal.tasks import services
from portal.tasks.models import Task
from portal.tasks.selectors import task_history, task_history_entries
from tests.factories import TagFactory


def _created_by_service(team, member, tag):
    return services.task_create(actor=member, team=team, title="t", assignees=[member], tags=[tag])


def _created_in_bulk(team, member, tag):
    rows = [{"title": "t", "assignees": [member], "tags": [tag]}]
    return services.tasks_create_bulk(actor=member, team=team, rows=rows)[0]


def _created_by_api(team, member, tag):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(member).access_token}")
    body = {"team": team.pk, "title": "t", "assignee_ids": [member.pk], "tag_ids": [tag.pk]}
    response = client.post("/api/tasks/", body, format="json")
    assert response.status_code == 201, response.json()
    return Task.objects.get(pk=response.json()["id"])


def _created_in_admin(team, member, tag):
    from django.test import Client

    client = Client()
    client.force_login(member)
    response = client.post(
        reverse("admin:tasks_task_add"),
        {
            "team": team.pk,
            "title": "t",
            "description": "",
            "status": "todo",
            "priority": "medium",
            "due_date_0": "",
            "due_date_1": "",
            "estimated_hours": "",
            "actual_hours": "",
            "assignees": [member.pk],
            "tags": [tag.pk],
            "parent": "",
            "metadata": "{}",
        },
    )
    assert response.status_code == 302
    return Task.objects.get(title="t")


DOORS = [_created_by_service, _created_in_bulk, _created_by_api, _created_in_admin]


@pytest.mark.parametrize("create", DOORS, ids=lambda f: f.__name__)
def test_one_edit_shows_exactly_that_edit(team, member, create):
    tag = TagFactory(name="infra")
    task = create(team, member, tag)
    assert task.history.count() == 1
    services.task_update(actor=member, task=Task.objects.get(pk=task.pk), priority="high")
    records = task_history(task)
    newest = task_history_entries(records, records[:1])[0]
    assert [c["field"] for c in newest["changes"]] == ["priority"]


def test_demo_tasks_first_edit_shows_only_that_edit(db):
    call_command("demo", verbosity=0)
    task = Task.objects.filter(assignees__isnull=False, tags__isnull=False).first()
    editor = task.assignees.first()
    services.task_update(actor=editor, task=task, title=task.title + " (edited)")
    records = task_history(task)
    newest = task_history_entries(records, records[:1])[0]
    assert [c["field"] for c in newest["changes"]] == ["title"]
