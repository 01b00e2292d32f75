"""The API's attachments: multipart upload, list, one, download, thumbnail, delete."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from portal.attachments import services
from portal.attachments.models import Attachment
from portal.attachments.services import attachment_upload
from tests.attachments import files
from tests.attachments.conftest import run_jobs, stored_files

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def base(task):
    return f"/api/tasks/{task.pk}/attachments/"


def test_upload_list_download_delete(task, member, media):
    client = api(member)
    response = client.post(
        base(task), {"file": files.upload("report.pdf", files.PDF)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "report.pdf" and body["content_type"] == "application/pdf"
    assert body["size"] == len(files.PDF) and body["scan_state"] == "clean"
    assert body["uploaded_by"] == {"id": member.pk, "username": "member"}
    assert body["thumbnail_url"] is None
    assert body["download_url"].endswith(f"{base(task)}{body['id']}/download/")
    listed = client.get(base(task)).json()
    assert [row["id"] for row in listed] == [body["id"]]
    assert client.get(f"{base(task)}{body['id']}/").json()["sha256"] == body["sha256"]
    download = client.get(f"{base(task)}{body['id']}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == files.PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("inline")
    assert client.delete(f"{base(task)}{body['id']}/").status_code == 204
    run_jobs(services.DELETE_JOB)
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_refusals_name_the_file(task, member, media):
    response = api(member).post(
        base(task), {"file": files.upload("cat.jpg", files.EXE)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {
        "file": ["cat.jpg looks like a program: such files cannot be attached."]
    }
    assert stored_files(media) == []


def test_a_missing_file_or_a_bad_comment_is_a_400(task, member):
    client = api(member)
    assert client.post(base(task), {}, format="multipart").status_code == 400
    for comment in ("abc", "0", "99999999999999999999999", "12345"):
        response = client.post(
            base(task),
            {"file": files.upload("a.txt", files.TEXT), "comment": comment},
            format="multipart",
        )
        assert response.status_code == 400, comment
    assert client.post(base(task), {"file": "text"}, format="json").status_code == 415
    assert not Attachment.objects.exists()


def test_a_viewer_reads_but_cannot_upload(task, member, viewer, media):
    item = attachment_upload(actor=member, task=task, file=files.upload("a.txt", files.TEXT))
    client = api(viewer)
    assert client.get(base(task)).status_code == 200
    assert client.get(f"{base(task)}{item.pk}/download/").status_code == 200
    response = client.post(
        base(task), {"file": files.upload("b.txt", files.TEXT)}, format="multipart"
    )
    assert response.status_code == 403
    assert client.delete(f"{base(task)}{item.pk}/").status_code == 403
    assert len(stored_files(media)) == 1


def test_another_teams_member_gets_404_everywhere(task, other_task, member, outsider):
    item = attachment_upload(
        actor=member, task=task, file=files.upload("photo.png", files.png_bytes())
    )
    run_jobs(services.PROCESS_JOB)
    assert api(member).get(f"{base(task)}{item.pk}/thumbnail/").status_code == 200
    client = api(outsider)
    for path in (
        base(task),
        f"{base(task)}{item.pk}/",
        f"{base(task)}{item.pk}/download/",
        f"{base(task)}{item.pk}/thumbnail/",
        # Their own task's address with the exact id of ours.
        f"{base(other_task)}{item.pk}/",
        f"{base(other_task)}{item.pk}/download/",
        f"{base(other_task)}{item.pk}/thumbnail/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.delete(f"{base(task)}{item.pk}/").status_code == 404
    response = client.post(
        base(task), {"file": files.upload("x.txt", files.TEXT)}, format="multipart"
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1


def test_huge_ids_are_404(task, member):
    client = api(member)
    assert client.get("/api/tasks/99999999999999999999999/attachments/").status_code == 404
    assert client.get(f"{base(task)}99999999999999999999999/download/").status_code == 404


def test_the_schema_documents_the_attachments(member):
    schema = api(member).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert (
        "multipart/form-data"
        in (paths["/api/tasks/{id}/attachments/"]["post"]["requestBody"]["content"])
    )
    assert "/api/tasks/{id}/attachments/{attachment_id}/download/" in paths
    assert "delete" in paths["/api/tasks/{id}/attachments/{attachment_id}/"]
