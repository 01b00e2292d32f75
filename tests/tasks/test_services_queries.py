"""The task services' own query costs, and the numbering path for databases without RETURNING."""

import pytest
from django.db import connection

from portal.tasks import services as task_services
from portal.tasks.models import Task
from tests.factories import TagFactory


@pytest.fixture
def links(member, member2):
    return {"assignees": [member, member2], "tags": [TagFactory(), TagFactory()]}


def test_create_with_links_costs_the_same_for_any_number_of_them(
    team, lead, links, django_assert_num_queries
):
    task_services.task_create(actor=lead, team=team, title="Warm the roles up")
    # savepoint, the team's custom field definitions (required fields and defaults), assignees'
    # roles, number, task, assignee links, tag links, history record, its two link snapshots,
    # the event, release
    with django_assert_num_queries(12):
        task = task_services.task_create(actor=lead, team=team, title="Linked", **links)
    assert {u.pk for u in task.assignees.all()} == {u.pk for u in links["assignees"]}
    # Nothing to copy into the history of relations known to be empty (6, and the custom
    # field definitions).
    with django_assert_num_queries(7):
        task_services.task_create(actor=lead, team=team, title="Bare")


def test_update_keeps_the_preloads_it_did_not_rewrite(team, lead, links, django_assert_num_queries):
    created = task_services.task_create(actor=lead, team=team, title="Linked", **links)
    task = Task.objects.prefetch_related("assignees", "tags").get(pk=created.pk)
    task_services.task_update(actor=lead, task=task, tags=links["tags"][:1])
    with django_assert_num_queries(0):
        assert [u.pk for u in task.assignees.all()] == [u.pk for u in links["assignees"]]
    assert [t.pk for t in task.tags.all()] == [links["tags"][0].pk]  # read again: rewritten


def test_numbers_without_update_returning(team, lead, monkeypatch):
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    first = task_services.task_create(actor=lead, team=team, title="One")
    second = task_services.task_create(actor=lead, team=team, title="Two")
    team.refresh_from_db()
    assert (first.number, second.number, team.last_task_number) == (1, 2, 2)
