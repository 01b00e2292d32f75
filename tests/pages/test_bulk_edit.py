"""Bulk edit on the lists: each selected task through the task services, refusals named."""

from datetime import date

import pytest
from django.contrib.messages import get_messages

from portal.pages.forms import BULK_NO_CHANGE, BULK_NONE_SELECTED
from portal.pages.views.bulk import BULK_CHANGED, BULK_REFUSED
from portal.tasks import permissions as task_perms
from portal.tasks.due import DUE_OUT_OF_RANGE
from portal.tasks.models import Task
from portal.tasks.services import task_create
from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory
from tests.pages.conftest import count_queries, make_tasks

pytestmark = pytest.mark.django_db
LIST = "/teams/operations/tasks/"
BULK = "/teams/operations/tasks/bulk/"


@pytest.fixture
def three(team, lead, member):
    """Two tasks member created and one the lead created (member may not archive that one)."""
    return [
        task_create(actor=member, team=team, title="One", assignees=[member]),
        task_create(actor=member, team=team, title="Two"),
        task_create(actor=lead, team=team, title="Three", assignees=[member]),
    ]


def post(client, url, tasks, follow=False, **changes):
    data = {"tasks": [t.pk for t in tasks], "next": f"{LIST}?ordering=number", **changes}
    return client.post(url, data, follow=follow)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_member_changes_three_tasks_at_once(client, member, member2, three):
    tag = TagFactory(name="q4")
    client.force_login(member)
    response = post(
        client,
        BULK,
        three,
        status="in_progress",
        priority="high",
        add_assignee=member2.pk,
        remove_assignee=member.pk,
        add_tag=tag.pk,
        due_date="2030-03-04",
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST}?ordering=number"
    assert said(response) == [BULK_CHANGED.format(tasks="3 tasks")]
    for task in Task.objects.filter(pk__in=[t.pk for t in three]):
        assert (task.status, task.priority, task.due_day) == (
            "in_progress",
            "high",
            date(2030, 3, 4),
        )
        assert list(task.assignees.all()) == [member2]
        assert [t.name for t in task.tags.all()] == ["q4"]
        assert task.history.count() == 2  # created, then one record for the whole change
    response = post(client, BULK, three, remove_tag=tag.pk)
    assert not Task.tags.through.objects.filter(tag=tag).exists()


def test_refusals_are_named_and_the_others_change(client, member, three):
    client.force_login(member)
    response = post(client, BULK, three, archive="archive", follow=True)
    html = response.content.decode()
    refused = BULK_REFUSED.format(
        tasks="1 task", details=f"{three[2].key}: {task_perms.DENIED_ARCHIVE_TASK}"
    )
    assert BULK_CHANGED.format(tasks="2 tasks") in html
    assert refused in html and "OPS-3: Only the team lead" in refused
    assert [t.is_archived for t in Task.objects.order_by("number")] == [True, True, False]


def test_a_bad_value_or_no_change_is_said_and_changes_nothing(client, member, three):
    client.force_login(member)
    # Each message is shown on the list the redirect leads to; the last one is this post's.
    assert said(post(client, BULK, three))[-1] == BULK_NO_CHANGE
    assert said(post(client, BULK, [], status="done"))[-1] == BULK_NONE_SELECTED
    response = post(client, BULK, three, due_date="1900-01-01")
    assert said(response)[-1] == DUE_OUT_OF_RANGE
    response = post(client, BULK, three, status="lost")
    assert "lost" in said(response)[-1]
    assert not Task.objects.filter(status__in=["done", "lost"]).exists()
    assert not Task.objects.filter(due_day__year=1900).exists()


def test_viewers_see_no_checkboxes_and_are_refused(client, viewer, three):
    client.force_login(viewer)
    html = client.get(LIST).content.decode()
    assert 'name="tasks"' not in html and 'id="bulk-form"' not in html
    response = post(client, BULK, three[:1], status="done")
    assert said(response) == [
        BULK_REFUSED.format(tasks="1 task", details=f"OPS-1: {task_perms.DENIED_EDIT_TASK}")
    ]
    assert not Task.objects.filter(status="done").exists()


def test_members_see_the_bar_and_a_checkbox_per_row(client, member, three):
    client.force_login(member)
    html = client.get(LIST).content.decode()
    assert 'id="bulk-form"' in html and html.count('name="tasks"') == 3
    assert 'form="bulk-form" aria-label="Select OPS-1"' in html


def test_outsiders_get_404_or_nothing_of_another_team(client, outsider, three):
    client.force_login(outsider)
    assert post(client, BULK, three, status="done").status_code == 404
    response = post(client, "/tasks/bulk/", three, status="done")
    assert response.status_code == 302 and len(said(response)) == 1
    assert not Task.objects.filter(status="done").exists()
    assert client.get(BULK).status_code == 405


def test_my_work_bulk_edits_across_teams_and_only_where_allowed(
    client, team, other_team, member, outsider, three
):
    MembershipFactory(user=member, team=other_team, role=Role.VIEWER)
    design = task_create(actor=outsider, team=other_team, title="Design", assignees=[outsider])
    client.force_login(member)
    html = client.get("/tasks/?assignee=anyone").content.decode()
    assert f'value="{three[0].pk}" form="bulk-form"' in html
    assert f'value="{design.pk}" form="bulk-form"' not in html  # a viewer there
    response = post(client, "/tasks/bulk/", [*three, design], priority="urgent")
    assert said(response) == [
        BULK_CHANGED.format(tasks="3 tasks"),
        BULK_REFUSED.format(tasks="1 task", details=f"DES-1: {task_perms.DENIED_EDIT_TASK}"),
    ]
    assert Task.objects.filter(priority="urgent").count() == 3


def test_the_bar_adds_no_queries_per_row(
    client, team, member, member2, django_assert_max_num_queries
):
    tags = [TagFactory(), TagFactory()]
    client.force_login(member)
    make_tasks(team, member, 10, tags=tags, assignees=[member, member2])
    small, response = count_queries(client, LIST, django_assert_max_num_queries)
    assert 'id="bulk-form"' in response.content.decode()
    make_tasks(team, member, 10_000, tags=tags, assignees=[member, member2])
    large, response = count_queries(client, LIST, django_assert_max_num_queries)
    assert response.context["total_text"] == "more than 10,000 tasks"
    assert small == large
