"""Comments in the admin: shown as the team sees them (Markdown, keys, mentions, edited
marker), changed by their author only, deleted by the author or a lead, and hostile text inert."""

import pytest
from django.db import connection
from django.urls import reverse

from portal.tasks.models import Comment
from portal.tasks.services import comment_add, comment_update, task_create
from tests.tasks.test_richtext import HOSTILE, inert


@pytest.fixture
def task(team, member):
    return task_create(actor=member, team=team, title="Ship it", description="**Plan** for OPS-1")


@pytest.fixture
def comment(task, member):
    return comment_add(actor=member, task=task, body="First *draft* @lead")


def task_page(task):
    return reverse("admin:tasks_task_change", args=[task.pk])


def change(comment):
    return reverse("admin:tasks_comment_change", args=[comment.pk])


def delete(comment):
    return reverse("admin:tasks_comment_delete", args=[comment.pk])


def test_the_task_page_shows_description_and_comments_rendered(client, task, comment, member, lead):
    comment_update(actor=member, comment=comment, body=f"Second *take* on {task.key} @lead")
    client.force_login(member)
    html = client.get(task_page(task)).content.decode()
    shown = html[html.index('id="task-description-shown"') :]
    assert "<strong>Plan</strong>" in shown
    key_link = f'<a class="task-key" href="{task_page(task)}">{task.key}</a>'
    assert key_link in shown  # keys lead to the admin's task page
    assert "<em>take</em>" in shown and 'class="mention"' in shown
    assert "portal-comment-edited" in shown


EDIT = {"author": 302, "lead": 403, "member2": 403, "viewer": 403, "outsider": 404}
DELETE = {"author": 302, "lead": 302, "member2": 403, "viewer": 403, "outsider": 404}


@pytest.mark.parametrize("who", EDIT)
def test_who_may_change_and_delete_in_the_admin(client, task, comment, people, member, who):
    user = member if who == "author" else people[who]
    client.force_login(user)
    response = client.post(change(comment), {"body": "Changed"})
    assert response.status_code == EDIT[who]
    comment.refresh_from_db()
    if who == "author":
        assert comment.body == "Changed" and comment.edited_at is not None
        history = client.get(reverse("admin:tasks_comment_history", args=[comment.pk]))
        assert history.status_code == 200
        assert "First *draft* @lead" in history.content.decode()  # the text before the edit
    else:
        assert comment.body == "First *draft* @lead"
    response = client.post(delete(comment), {"post": "yes"})
    assert response.status_code == DELETE[who]
    gone = not Comment.objects.filter(pk=comment.pk).exists()
    assert gone == (who in ("author", "lead"))


def test_a_lead_sees_the_comment_read_only_with_delete(client, task, comment, lead):
    client.force_login(lead)
    html = client.get(change(comment)).content.decode()
    assert "<em>draft</em>" in html and 'name="body"' not in html
    assert delete(comment) in html


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_comments_are_inert_in_the_admin(client, task, member, name):
    body = HOSTILE[name]
    if connection.vendor == "postgresql":
        body = body.replace("\x00", "")  # PostgreSQL text holds no NUL (the services refuse it)
    comment = Comment.objects.create(task=task, author=member, body=body)
    client.force_login(member)
    for url in (task_page(task), change(comment)):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        for part in html.split('class="portal-comment-body portal-markdown">')[1:]:
            inert(part.split("</div>", 1)[0])
