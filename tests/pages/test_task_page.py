"""A task's page: fields, subtasks, comments, history, the one edit form, and who may do what."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.pages.views.comments import COMMENT_ADDED, COMMENT_DELETED
from portal.pages.views.task import HISTORY_PAGE
from portal.tasks import permissions as task_perms
from portal.tasks.models import Comment, Status, Task
from portal.tasks.services import comment_add, task_create, task_update
from tests.factories import TagFactory
from tests.pages.conftest import count_queries, make_tasks

pytestmark = pytest.mark.django_db
PAGE = "/teams/operations/tasks/1/"


@pytest.fixture
def task(team, member, member2, lead):
    parent = task_create(
        actor=member,
        team=team,
        title="Ship the release",
        description="Cut, test, publish.",
        assignees=[member2],
        tags=[TagFactory(name="release")],
        metadata={"source": "email"},
        estimated_hours=3,
        due_date=timezone.now() + timedelta(days=2),
    )
    task_create(actor=member, team=team, title="Write the notes", parent=parent)
    task_update(actor=lead, task=parent, status=Status.IN_PROGRESS, priority="high")
    comment_add(actor=member2, task=parent, body="On it")
    return parent


def form_data(task) -> dict:
    """What the page's edit form posts when nothing is changed."""
    task = Task.objects.get(pk=task.pk)
    day = task.due_day or (timezone.localtime(task.due_date).date() if task.due_date else None)
    time = "" if task.due_day or not task.due_date else f"{timezone.localtime(task.due_date):%H:%M}"
    shown = {
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "due_date_0": day.isoformat() if day else "",
        "due_date_1": time,
        "estimated_hours": "" if task.estimated_hours is None else str(task.estimated_hours),
        "actual_hours": "" if task.actual_hours is None else str(task.actual_hours),
        "assignees": [str(u.pk) for u in task.assignees.all()],
        "tags": [str(t.pk) for t in task.tags.all()],
        "parent": task.parent.key if task.parent_id else "",
    }
    # The page also posts the values it showed (to tell what the person changed).
    return {**shown, **{f"initial-{name}": value for name, value in shown.items()}, "new_tags": ""}


def quick(client, task, changes, **extra):
    """Post the task page's edit form with `changes` over the task's stored values."""
    return client.post(f"{PAGE}edit/", {**form_data(task), **changes}, **extra)


def test_the_page_shows_fields_subtasks_comments_and_history(client, task, member):
    client.force_login(member)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "OPS-1",
        "Ship the release",
        "Cut, test, publish.",
        "release",
        "OPS-2",
        "Write the notes",
        "On it",
        "<dt>source</dt><dd>email</dd>",
        "3.00",
    ):
        assert text in html, text
    history = response.context["history"]
    assert [e["type"] for e in history] == ["changed", "created"]
    assert history[0]["user"].username == "lead"
    assert {(r["field"], r["old"], r["new"]) for r in history[0]["rows"]} == {
        ("status", "To do", "In progress"),
        ("priority", "Medium", "High"),
    }
    assert 'id="open-in-admin" href="/admin/tasks/task/' in html


def test_outsiders_and_unknown_numbers_get_404(client, task, outsider, member):
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 404
    assert quick(client, task, {"status": "done"}).status_code == 404
    client.force_login(member)
    assert client.get("/teams/operations/tasks/404/").status_code == 404
    assert client.get("/teams/operations/tasks/0/").status_code == 404
    assert client.post("/teams/operations/tasks/404/edit/", {"title": "x"}).status_code == 404


def test_archived_tasks_still_have_a_page(client, task, member):
    task_update(actor=member, task=Task.objects.get(number=2), is_archived=True)
    client.force_login(member)
    assert client.get("/teams/operations/tasks/2/").status_code == 200


@pytest.mark.parametrize(
    ("field", "data", "check"),
    [
        ("status", {"status": "done"}, lambda t, **_: t.status == Status.DONE and t.completed_at),
        ("priority", {"priority": "urgent"}, lambda t, **_: t.priority == "urgent"),
        (
            "due_date",
            {"due_date_0": "2030-05-01", "due_date_1": "17:30"},
            lambda t, **_: t.due_date.year == 2030 and t.due_day is None,
        ),
        (
            "due_date",
            {"due_date_0": "2030-05-01", "due_date_1": ""},
            lambda t, **_: str(t.due_day) == "2030-05-01",
        ),
        ("due_date", {"due_date_0": "", "due_date_1": ""}, lambda t, **_: t.due_date is None),
        (
            "assignees",
            {"assignees": "MEMBER_ID"},
            lambda t, member, **_: list(t.assignees.all()) == [member],
        ),
    ],
)
def test_edits_go_through_task_update(client, task, member, field, data, check):
    data = {k: (str(member.pk) if v == "MEMBER_ID" else v) for k, v in data.items()}
    client.force_login(member)
    before = task.history.count()
    response = quick(client, task, data)
    assert response.status_code == 302 and response["Location"] == PAGE
    fresh = Task.objects.get(pk=task.pk)
    assert check(fresh, member=member)
    assert fresh.history.count() == before + 1
    assert fresh.history.first().history_user == member


def test_two_fields_changed_together_are_both_saved(client, task, member):
    # Before, each field had its own Save: the status change was lost without a word.
    client.force_login(member)
    before = task.history.count()
    response = quick(client, task, {"status": "blocked", "priority": "low"})
    assert response.status_code == 302
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.status, fresh.priority) == ("blocked", "low")
    assert fresh.history.count() == before + 1  # one change, one record


def test_only_what_the_person_changed_is_written(client, task, member, lead):
    client.force_login(member)
    data = {**form_data(task), "title": "Ship it"}
    # Someone else changes the priority while the form is open.
    task_update(actor=lead, task=Task.objects.get(pk=task.pk), priority="urgent")
    client.post(f"{PAGE}edit/", data)
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.title, fresh.priority) == ("Ship it", "urgent")


def test_new_tags_are_created_and_added(client, task, member):
    client.force_login(member)
    response = quick(client, task, {"new_tags": "infra, Release"})
    assert response.status_code == 302
    names = sorted(t.name for t in Task.objects.get(pk=task.pk).tags.all())
    assert names == ["infra", "release"]  # "Release" is the existing "release"


def test_nothing_changed_says_so(client, task, member):
    client.force_login(member)
    history = task.history.count()
    response = quick(client, task, {}, follow=True)
    assert "Nothing changed." in response.content.decode()
    assert Task.objects.get(pk=task.pk).history.count() == history


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("status", {"status": "finished"}, "Select a valid choice."),
        ("due_date", {"due_date_0": "not a date"}, "Enter a valid date."),
        ("due_date", {"due_date_0": "99999-01-01"}, "Enter a valid date."),
        ("due_date", {"due_date_0": "1900-01-01"}, "years ago"),
        ("assignees", {"assignees": "999999"}, "Select a valid choice."),
        ("assignees", {"assignees": "x" * 100}, "is not a valid value"),
    ],
)
def test_bad_edits_show_the_error_next_to_the_field(client, task, member, field, data, message):
    client.force_login(member)
    response = quick(client, task, {**data, "title": "Changed too"})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'id="edit-errors"' in html
    # What was typed comes back, nothing is saved.
    assert 'value="Changed too"' in html
    assert Task.objects.get(pk=task.pk).history.count() == task.history.count()


def test_assignees_outside_the_team_are_not_choices(client, task, member, outsider):
    client.force_login(member)
    response = quick(client, task, {"assignees": str(outsider.pk)})
    assert "Select a valid choice." in response.content.decode()
    assert outsider not in Task.objects.get(pk=task.pk).assignees.all()


def test_viewer_reads_without_write_controls_and_forged_writes_are_403(client, task, viewer):
    client.force_login(viewer)
    html = client.get(PAGE).content.decode()
    assert 'id="task-edit"' not in html and 'id="comment-form"' not in html
    assert "Delete this comment" not in html and 'id="lead-actions"' not in html
    assert quick(client, task, {"status": "done"}).status_code == 403
    response = client.post(f"{PAGE}comments/", {"body": "sneaky"})
    assert response.status_code == 403 and task_perms.DENIED_COMMENT in response.content.decode()
    comment = Comment.objects.get()
    assert client.post(f"{PAGE}comments/{comment.pk}/delete/").status_code == 403
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "path, data",
    [
        ("edit/", {"status": "bogus"}),
        ("edit/", {"due_date_0": "2026-02-30"}),
        ("edit/", {"assignees": "9223372036854775808"}),
        ("archive/", {"archived": "true"}),
        ("delete/", {}),
        ("move/", {"status": "bogus"}),
        ("comments/", {"body": ""}),
        ("take/", {}),
    ],
)
def test_a_viewers_write_is_403_before_its_input_is_read(client, task, viewer, htmx, path, data):
    """A viewer learns nothing from the form (no "Enter a valid value"): the answer is 403."""
    client.force_login(viewer)
    for extra in ({}, htmx):
        response = client.post(f"{PAGE}{path}", data, **extra)
        assert response.status_code == 403, (path, extra, response.content[:200])
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS


def test_editing_someone_elses_comment_is_403_before_the_form(client, task, member, member2):
    """A member may edit only their own comments: an empty body still answers 403."""
    client.force_login(member)
    comment = Comment.objects.get(author=member2)
    response = client.post(f"{PAGE}comments/{comment.pk}/edit/", {"body": ""})
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "On it"


def test_comment_add_edit_delete(client, task, member, htmx):
    client.force_login(member)
    response = client.post(f"{PAGE}comments/", {"body": "  Shipped to staging  "}, **htmx)
    assert response.status_code == 200 and COMMENT_ADDED in response.content.decode()
    mine = Comment.objects.get(author=member)
    assert mine.body == "Shipped to staging"
    response = client.post(f"{PAGE}comments/{mine.pk}/edit/", {"body": "Shipped to prod"}, **htmx)
    assert response.status_code == 200
    assert Comment.objects.get(pk=mine.pk).body == "Shipped to prod"
    response = client.post(f"{PAGE}comments/{mine.pk}/delete/", **htmx)
    assert COMMENT_DELETED in response.content.decode()
    assert not Comment.objects.filter(pk=mine.pk).exists()


def test_an_empty_comment_shows_the_error_at_the_field(client, task, member, htmx):
    client.force_login(member)
    response = client.post(f"{PAGE}comments/", {"body": "   "}, **htmx)
    assert 'id="id_body_error"' in response.content.decode()
    assert Comment.objects.count() == 1
    response = client.post(f"{PAGE}comments/", {"body": ""})
    assert response.status_code == 200 and 'id="id_body_error"' in response.content.decode()


def test_members_edit_only_their_own_comments_leads_delete_any(client, task, member, lead):
    theirs = Comment.objects.get()
    client.force_login(member)
    html = client.get(PAGE).content.decode()
    assert f"/comments/{theirs.pk}/edit/" not in html
    response = client.post(f"{PAGE}comments/{theirs.pk}/edit/", {"body": "mine now"})
    assert response.status_code == 403
    assert task_perms.DENIED_EDIT_COMMENT in response.content.decode()
    client.force_login(lead)
    html = client.get(PAGE).content.decode()
    assert f"/comments/{theirs.pk}/edit/" not in html  # a lead deletes, never rewrites
    assert f"/comments/{theirs.pk}/delete/" in html
    assert client.post(f"{PAGE}comments/{theirs.pk}/delete/").status_code == 302
    assert not Comment.objects.exists()


def test_another_tasks_comment_is_404(client, task, member):
    other = comment_add(actor=member, task=Task.objects.get(number=2), body="elsewhere")
    client.force_login(member)
    assert client.post(f"{PAGE}comments/{other.pk}/delete/").status_code == 404
    assert client.post(f"{PAGE}comments/99999999999999999999999/delete/").status_code == 404


def test_history_pages_and_reloads(client, task, member, htmx):
    for number in range(HISTORY_PAGE + 5):
        task_update(actor=member, task=task, title=f"Ship the release, take {number}")
    client.force_login(member)
    first = client.get(PAGE)
    assert len(first.context["history"]) == HISTORY_PAGE and first.context["older"]
    older = client.get(f"{PAGE}history/?page=2", **htmx)
    assert older.status_code == 200
    assert older.content.decode().count("data-history=") == 7  # 25 + 2 records, 20 per page
    assert "Show older changes" not in older.content.decode()
    fragment = client.get(f"{PAGE}history/", **htmx).content.decode()
    assert 'hx-trigger="task-changed from:body"' in fragment
    assert client.get(f"{PAGE}history/?page=x").status_code == 200  # a bad page is page 1


def test_task_page_queries_do_not_grow(
    client, task, team, member, member2, django_assert_max_num_queries
):
    client.force_login(member)
    # A full page of history with people in it, so every name look-up runs in both cases.
    for number in range(HISTORY_PAGE + 5):
        task_update(actor=member, task=task, assignees=[member] if number % 2 else [member2])
        # Mentions of people and of no one: their one look-up runs in both cases.
        comment_add(
            actor=member,
            task=task,
            body=f"note {number} @member2 @ghost{number} OPS-1 OPS-9{number}",
        )
    small, _ = count_queries(client, PAGE, django_assert_max_num_queries)
    make_tasks(team, member, 5_000, tags=[TagFactory()], assignees=[member, member2])
    Task.objects.filter(number__gt=2).update(parent=task)
    for number in range(HISTORY_PAGE + 5):
        task_update(actor=member, task=task, assignees=[member] if number % 2 else [member2])
        # Mentions of people and of no one: their one look-up runs in both cases.
        comment_add(
            actor=member,
            task=task,
            body=f"note {number} @member2 @ghost{number} OPS-1 OPS-9{number}",
        )
    large, response = count_queries(client, PAGE, django_assert_max_num_queries)
    assert response.context["more_subtasks"]
    assert small == large


def test_a_lead_archives_unarchives_and_deletes_on_the_page(client, task, lead, member):
    client.force_login(member)
    assert 'id="delete-task"' not in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}delete/").status_code == 403
    client.force_login(lead)
    html = client.get(PAGE).content.decode()
    assert 'id="archive-task"' in html and 'id="delete-task"' in html
    client.post(f"{PAGE}archive/", {"archived": "true"})
    assert Task.objects.get(pk=task.pk).is_archived
    client.post(f"{PAGE}archive/", {"archived": "false"})
    assert not Task.objects.get(pk=task.pk).is_archived
    response = client.post(f"{PAGE}delete/")
    assert response.status_code == 302 and response["Location"] == "/teams/operations/tasks/"
    assert not Task.objects.filter(pk=task.pk).exists()


def test_the_description_preview_is_the_pages_markdown(client, task, member, outsider):
    client.force_login(member)
    url = "/teams/operations/preview/"
    html = client.post(url, {"description": "**bold** <script>x</script>"}).content.decode()
    assert "<strong>bold</strong>" in html and "<script>" not in html
    assert "Nothing to preview" in client.post(url, {"description": " "}).content.decode()
    assert client.post(url, {"description": "x" * 100_001}).status_code == 400
    client.force_login(outsider)
    assert client.post(url, {"description": "hi"}).status_code == 404
