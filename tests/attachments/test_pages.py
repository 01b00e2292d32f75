"""The task page's attachments: upload, list, download, thumbnail, delete; outsiders get 404."""

import pytest
from django.urls import reverse

from portal.attachments import services
from portal.attachments.models import Attachment
from portal.attachments.services import attachment_upload
from tests.attachments import files
from tests.attachments.conftest import run_jobs, stored_files

pytestmark = pytest.mark.django_db


def url(name, task, *args):
    return reverse(f"pages:{name}", args=[task.team.slug, task.number, *args])


def post_files(client, task, *uploads, ajax=True, **data):
    headers = {"X-Requested-With": "XMLHttpRequest"} if ajax else {}
    return client.post(
        url("attachment_add", task), {"files": list(uploads), **data}, headers=headers
    )


def test_a_member_attaches_several_files_and_sees_them(client, task, member, media):
    client.force_login(member)
    response = post_files(
        client,
        task,
        files.upload("report.pdf", files.PDF),
        files.upload("photo.png", files.png_bytes()),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "report.pdf attached." in body and "photo.png attached." in body
    assert "Attachments (2)" in body
    assert Attachment.objects.count() == 2 and len(stored_files(media)) == 2
    page = client.get(url("task", task)).content.decode()
    assert 'id="attachments"' in page and "report.pdf" in page and "data-attach-drop" in page


def test_refused_files_are_named_and_the_others_attached(client, task, member, media):
    client.force_login(member)
    response = post_files(
        client,
        task,
        files.upload("holiday.jpg", files.EXE),
        files.upload("notes.txt", files.TEXT),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "holiday.jpg looks like a program" in body and "notes.txt attached." in body
    assert list(Attachment.objects.values_list("name", flat=True)) == ["notes.txt"]


def test_without_javascript_the_form_posts_and_comes_back(client, task, member):
    client.force_login(member)
    response = post_files(client, task, files.upload("notes.txt", files.TEXT), ajax=False)
    assert response.status_code == 302 and response.url.endswith("#attachments")
    assert "notes.txt attached." in client.get(response.url).content.decode()


def test_no_files_is_a_clear_message(client, task, member):
    client.force_login(member)
    response = post_files(client, task)
    assert response.status_code == 422 and "Choose one or more files" in response.content.decode()


def test_a_viewer_cannot_upload(client, task, viewer, media):
    client.force_login(viewer)
    page = client.get(url("task", task)).content.decode()
    assert "data-attach-form" not in page
    response = post_files(client, task, files.upload("notes.txt", files.TEXT))
    assert response.status_code == 403 and stored_files(media) == []


def test_downloads_are_streamed_with_safe_headers(client, task, member, viewer):
    pdf = attachment_upload(actor=member, task=task, file=files.upload("report.pdf", files.PDF))
    text = attachment_upload(actor=member, task=task, file=files.upload("a b.txt", files.TEXT))
    client.force_login(viewer)
    response = client.get(url("attachment", task, pdf.pk))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    response = client.get(url("attachment", task, text.pk))
    assert response["Content-Disposition"] == 'attachment; filename="a b.txt"'
    assert response["Content-Security-Policy"].endswith("sandbox")
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_svg_is_never_inline_even_when_allowed(client, task, member, settings):
    settings.ATTACHMENTS_ALLOW_TYPES = ["image/svg+xml"]
    svg = attachment_upload(actor=member, task=task, file=files.upload("logo.svg", files.SVG))
    client.force_login(member)
    response = client.get(url("attachment", task, svg.pk))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "image/svg+xml"


def test_names_are_shown_escaped(client, task, member):
    attachment_upload(
        actor=member,
        task=task,
        file=files.upload("<b>bold<img src=x onerror=alert(1)>\u202egpj.txt", files.TEXT),
    )
    client.force_login(member)
    page = client.get(url("task", task)).content.decode()
    shown = "&lt;b&gt;bold&lt;img src=x onerror=alert(1)&gt;&lt;U+202E&gt;gpj.txt"
    assert shown in page and "<b>bold" not in page and "\u202e" not in page


def test_another_teams_member_gets_404_for_file_and_thumbnail(client, task, member, outsider):
    item = attachment_upload(
        actor=member, task=task, file=files.upload("photo.png", files.png_bytes())
    )
    run_jobs(services.PROCESS_JOB)
    client.force_login(member)
    assert client.get(url("attachment_thumbnail", task, item.pk)).status_code == 200
    client.force_login(outsider)
    for name in ("attachment", "attachment_thumbnail"):
        assert client.get(url(name, task, item.pk)).status_code == 404
    assert client.post(url("attachment_delete", task, item.pk)).status_code == 404
    assert post_files(client, task, files.upload("x.txt", files.TEXT)).status_code == 404
    # Even through one of their own tasks' addresses, with the exact id.
    from portal.tasks.services import task_create

    theirs = task_create(actor=outsider, team=outsider.memberships.get().team, title="Mine")
    assert client.get(url("attachment", theirs, item.pk)).status_code == 404


def test_the_thumbnail_is_an_image_without_exif(client, task, member):
    item = attachment_upload(
        actor=member, task=task, file=files.upload("camera.jpg", files.jpeg_bytes())
    )
    client.force_login(member)
    assert client.get(url("attachment_thumbnail", task, item.pk)).status_code == 404
    run_jobs(services.PROCESS_JOB)
    response = client.get(url("attachment_thumbnail", task, item.pk))
    data = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg" and b"SecretCamera" not in data
    assert (
        'src="' + url("attachment_thumbnail", task, item.pk)
        in client.get(url("task", task)).content.decode()
    )


def test_pending_and_rejected_files_are_shown_and_not_served(client, task, member, settings):
    settings.ATTACHMENTS_SCANNER = "tests.attachments.scanners.refuse_eicar"
    bad = attachment_upload(
        actor=member, task=task, file=files.upload("eicar.txt", b"EICAR test file")
    )
    client.force_login(member)
    assert "pending scan" in client.get(url("task", task)).content.decode()
    response = client.get(url("attachment", task, bad.pk))
    assert response.status_code == 409 and b"waiting for its virus scan" in response.content
    run_jobs(services.PROCESS_JOB)
    assert "rejected" in client.get(url("task", task)).content.decode()
    response = client.get(url("attachment", task, bad.pk))
    assert response.status_code == 409 and b"rejected by the virus scan" in response.content


def test_delete_by_the_uploader(client, task, member, member2):
    item = attachment_upload(actor=member, task=task, file=files.upload("a.txt", files.TEXT))
    client.force_login(member2)
    assert client.post(url("attachment_delete", task, item.pk)).status_code == 403
    client.force_login(member)
    response = client.post(
        url("attachment_delete", task, item.pk), headers={"X-Requested-With": "XMLHttpRequest"}
    )
    assert response.status_code == 200 and "a.txt deleted." in response.content.decode()
    assert not Attachment.objects.exists()


def test_files_on_a_comment_are_shown_with_it(client, task, member):
    from portal.tasks.services import comment_add

    comment = comment_add(actor=member, task=task, body="See the log")
    client.force_login(member)
    post_files(client, task, files.upload("server.log", files.TEXT), comment=str(comment.pk))
    assert Attachment.objects.get().comment == comment
    page = client.get(url("task", task)).content.decode()
    block = page.split(f'id="comment-{comment.pk}"')[1].split('class="comment"')[0]
    assert "server.log" in block


@pytest.mark.parametrize("comment", ["abc", "99999999999999999999999", "\x00", "999"])
def test_a_hostile_comment_id_is_a_404(client, task, member, comment):
    client.force_login(member)
    response = post_files(client, task, files.upload("a.txt", files.TEXT), comment=comment)
    assert response.status_code in (400, 404)
    assert not Attachment.objects.exists()


def test_the_task_page_reads_attachments_in_constant_queries(
    client, task, member, django_assert_max_num_queries
):
    client.force_login(member)
    client.get(url("task", task))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url("task", task))
    for i in range(8):
        attachment_upload(actor=member, task=task, file=files.upload(f"{i}.txt", files.TEXT))
    with django_assert_max_num_queries(len(few)):
        client.get(url("task", task))


def test_the_board_shows_first_images_when_the_team_opts_in(
    client, team, task, member, django_assert_max_num_queries
):
    from portal.attachments.models import TeamAttachmentSettings

    first = attachment_upload(
        actor=member, task=task, file=files.upload("first.png", files.png_bytes())
    )
    attachment_upload(actor=member, task=task, file=files.upload("second.png", files.png_bytes()))
    run_jobs(services.PROCESS_JOB)
    client.force_login(member)
    thumb = url("attachment_thumbnail", task, first.pk)
    assert "data-card-image" not in client.get(f"/teams/{team.slug}/").content.decode()
    TeamAttachmentSettings.objects.create(team=team, card_images=True)
    page = client.get(f"/teams/{team.slug}/").content.decode()
    assert page.count("data-card-image") == 1 and f'src="{thumb}"' in page
    # One more task with an image costs no more queries.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"/teams/{team.slug}/")
    from portal.tasks.services import task_create

    for i in range(3):
        more = task_create(actor=member, team=team, title=f"More {i}")
        attachment_upload(actor=member, task=more, file=files.upload("m.png", files.png_bytes()))
    run_jobs(services.PROCESS_JOB)
    with django_assert_max_num_queries(len(small)):
        page = client.get(f"/teams/{team.slug}/").content.decode()
    assert page.count("data-card-image") == 4


def test_the_activity_feed_says_what_was_attached_and_deleted(client, team, task, member):
    item = attachment_upload(actor=member, task=task, file=files.upload("report.pdf", files.PDF))
    from portal.attachments.services import attachment_delete

    attachment_upload(actor=member, task=task, file=files.upload("<b>.txt", files.TEXT))
    attachment_delete(actor=member, attachment=item)
    client.force_login(member)
    page = client.get(f"/teams/{team.slug}/activity/").content.decode()
    import re

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert f"attached report.pdf to {task.key}" in text
    assert f"deleted report.pdf from {task.key}" in text
    assert "&lt;b&gt;.txt" in page and "<b>.txt" not in page


def test_the_activity_feed_pages_through_attachments(client, team, task, member):
    from portal.tasks.selectors import team_activity

    for i in range(30):
        attachment_upload(actor=member, task=task, file=files.upload(f"{i}.txt", files.TEXT))
    entries, cursor = team_activity(fetched_by=member, team=team, size=25)
    assert [e["file_name"] for e in entries[:2]] == ["29.txt", "28.txt"]
    client.force_login(member)
    from portal.pages.views.activity import encode_cursor

    older = client.get(f"/teams/{team.slug}/activity/", {"before": encode_cursor(cursor)})
    body = older.content.decode()
    assert older.status_code == 200 and "That page of the activity" not in body
    assert "attached 4.txt" in " ".join(body.split()) or "4.txt" in body
