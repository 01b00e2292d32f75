"""Comments on the team pages: Markdown, preview, edit by the author, delete by the author or
a lead, and the edited marker; hostile text never breaks the page."""

import pytest
from django.test import Client

from portal.pages.views.comments import COMMENT_SAVED
from portal.tasks import permissions as task_perms
from portal.tasks.models import Comment
from portal.tasks.services import comment_add, comment_update, task_create
from tests.tasks.test_richtext import HOSTILE, inert

PAGE = "/teams/operations/tasks/1/"
PREVIEW = "/teams/operations/preview/"


@pytest.fixture
def task(team, member):
    return task_create(actor=member, team=team, title="Ship it", description="See OPS-1")


@pytest.fixture
def comment(task, member):
    return comment_add(actor=member, task=task, body="First **draft**")


def bodies(html: str) -> list[str]:
    """Each comment's rendered body (sanitised HTML never holds a <div>)."""
    return [part.split("</div>", 1)[0] for part in html.split('comment-body">')[1:]]


def test_comments_and_the_description_render_markdown_with_links(client, task, member, member2):
    comment_add(actor=member2, task=task, body=f"Done in {task.key}, thanks @member\n\n> quoted")
    client.force_login(member)
    html = client.get(PAGE).content.decode()
    assert f'<a class="task-key" href="{PAGE}">{task.key}</a>' in html  # description and comment
    assert html.count('class="task-key"') == 2
    assert '<a class="mention"' in html and "<blockquote>" in html


def test_preview_renders_through_the_one_endpoint_with_csrf(task, member, outsider):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get(PAGE)  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert client.post(PREVIEW, {"text": "**b**"}).status_code == 403  # no token
    html = client.post(PREVIEW, {"text": f"**b** {task.key} <script>x</script>"},
                       HTTP_X_CSRFTOKEN=token).content.decode()  # fmt: skip
    assert "<strong>b</strong>" in html and 'class="task-key"' in html and "<script" not in html
    client.force_login(outsider)
    assert client.post(PREVIEW, {"text": "x"}, HTTP_X_CSRFTOKEN=token).status_code == 404


def test_the_author_edits_and_the_page_marks_it_edited(client, task, comment, member, htmx):
    client.force_login(member)
    html = client.get(PAGE).content.decode()
    assert "comment-edited" not in html and 'data-preview="/teams/operations/preview/"' in html
    response = client.post(f"{PAGE}comments/{comment.pk}/edit/", {"body": "Second *take*"}, **htmx)
    assert response.status_code == 200 and COMMENT_SAVED in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Second *take*" and comment.edited_at is not None
    html = client.get(PAGE).content.decode()
    assert "(edited " in html and "<em>take</em>" in html


def test_the_same_text_again_is_no_edit(task, comment, member):
    comment_update(actor=member, comment=comment, body="  First **draft** ")
    comment.refresh_from_db()
    assert comment.edited_at is None and comment.history.count() == 1


def test_the_activity_feed_keeps_the_previous_text(client, task, comment, member):
    comment_update(actor=member, comment=comment, body="Rewritten")
    client.force_login(member)
    html = client.get("/teams/operations/activity/").content.decode()
    assert "edited a comment on" in html and "First **draft**" in html and "Rewritten" in html


EDIT = {"author": 302, "lead": 403, "member2": 403, "viewer": 403, "outsider": 404}
DELETE = {"author": 302, "lead": 302, "member2": 403, "viewer": 403, "outsider": 404}


@pytest.mark.parametrize("who", EDIT)
def test_who_may_edit_and_delete_on_the_page(client, task, comment, people, member, who):
    user = member if who == "author" else people[who]
    client.force_login(user)
    html = client.get(PAGE).content.decode() if who != "outsider" else ""
    assert (f"/comments/{comment.pk}/edit/" in html) == (EDIT[who] == 302)
    assert (f"/comments/{comment.pk}/delete/" in html) == (DELETE[who] == 302)
    response = client.post(f"{PAGE}comments/{comment.pk}/edit/", {"body": "changed"})
    assert response.status_code == EDIT[who]
    if EDIT[who] == 403:
        assert task_perms.DENIED_EDIT_COMMENT in response.content.decode()
    response = client.post(f"{PAGE}comments/{comment.pk}/delete/")
    assert response.status_code == DELETE[who]
    if DELETE[who] == 403:
        assert task_perms.DENIED_DELETE_COMMENT in response.content.decode()
    assert Comment.objects.filter(pk=comment.pk).exists() == (DELETE[who] != 302)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_comments_are_inert_on_the_page(client, task, member, name, htmx):
    client.force_login(member)
    response = client.post(f"{PAGE}comments/", {"body": HOSTILE[name]}, **htmx)
    assert response.status_code in (200, 422)
    assert client.post(PREVIEW, {"text": HOSTILE[name]}).status_code in (200, 400)
    page = client.get(PAGE)
    assert page.status_code == 200
    shown = bodies(page.content.decode())
    assert len(shown) == Comment.objects.count()
    for body in shown:
        inert(body)


def test_a_too_long_comment_is_refused_with_a_message(client, task, member, htmx):
    client.force_login(member)
    response = client.post(f"{PAGE}comments/", {"body": "x" * 10_001}, **htmx)
    assert "at most 10,000 characters" in response.content.decode()
    assert not Comment.objects.exists()
