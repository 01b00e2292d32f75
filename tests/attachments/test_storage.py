"""Both storages for real: S3-compatible object storage (moto's server on 127.0.0.1) and the
local file system (a temporary folder); the settings that choose between them."""

from datetime import timedelta

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from portal.attachments import services
from portal.attachments.jobs import orphans_delete
from portal.attachments.models import Attachment
from portal.attachments.services import attachment_delete, attachment_upload
from portal.attachments.storage import attachment_storage
from portal.settings.attachments import _s3_from_url
from tests.attachments import files
from tests.attachments.conftest import run_jobs, stored_files

pytestmark = pytest.mark.django_db
BUCKET = "portal-attachments"
KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings):
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "region_name": "us-east-1",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "signature_version": "s3v4",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_s3_upload_thumbnail_download_and_delete(s3, client, task, member, outsider):
    item = attachment_upload(
        actor=member, task=task, file=files.upload("camera.jpg", files.jpeg_bytes())
    )
    assert keys(s3) == [item.storage_name]
    stored = s3.get_object(Bucket=BUCKET, Key=item.storage_name)["Body"].read()
    assert stored == files.jpeg_bytes()
    run_jobs(services.PROCESS_JOB)
    item.refresh_from_db()
    assert keys(s3) == sorted([item.storage_name, item.thumbnail_name])
    url = reverse("pages:attachment", args=[task.team.slug, task.number, item.pk])
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == stored
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    attachment_delete(actor=member, attachment=item)
    run_jobs(services.DELETE_JOB)
    assert keys(s3) == []


def test_a_refused_file_never_reaches_the_bucket(s3, task, member):
    with pytest.raises(Exception, match="looks like a web page"):
        attachment_upload(actor=member, task=task, file=files.upload("a.txt", files.HTML))
    assert keys(s3) == []


def test_presigned_redirect_when_configured(s3, client, task, member, settings):
    settings.ATTACHMENTS_PRESIGNED_SECONDS = 60
    item = attachment_upload(actor=member, task=task, file=files.upload("r.pdf", files.PDF))
    client.force_login(member)
    response = client.get(reverse("pages:attachment", args=[task.team.slug, task.number, item.pk]))
    assert response.status_code == 302
    target = response["Location"]
    assert "X-Amz-Signature" in target and "X-Amz-Expires=60" in target
    assert "response-content-disposition=inline" in target
    import urllib.request

    with urllib.request.urlopen(target) as fetched:  # the short-lived URL works on its own
        assert fetched.read() == files.PDF
        assert fetched.headers["Content-Type"] == "application/pdf"


def test_orphans_are_removed_from_the_bucket(s3, task, member):
    kept = attachment_upload(actor=member, task=task, file=files.upload("k.txt", files.TEXT))
    attachment_storage().save("attachments/files/999/orphan.bin", files.upload("o", b"x"))
    assert orphans_delete() == 0  # too new: an upload may be writing it
    assert orphans_delete(older_than=timedelta(seconds=-60)) == 1
    assert keys(s3) == [kept.storage_name]


def test_orphans_are_removed_from_the_local_folder(media, task, member):
    kept = attachment_upload(actor=member, task=task, file=files.upload("k.txt", files.TEXT))
    attachment_storage().save("attachments/files/999/orphan.bin", files.upload("o", b"x"))
    # A row deleted without its job (the job record lost): the weekly clean-up catches it.
    gone = attachment_upload(actor=member, task=task, file=files.upload("g.txt", files.TEXT))
    Attachment.objects.filter(pk=gone.pk).delete()
    from portal.jobs.models import Job

    Job.objects.all().delete()
    assert orphans_delete(older_than=timedelta(seconds=-60)) == 2
    assert stored_files(media) == [kept.storage_name]


def test_the_cleanup_job_is_scheduled_weekly():
    from portal.jobs.schedules import specs

    [spec] = [s for s in specs() if s.name == "attachments-cleanup"]
    assert spec.kind == "attachments_cleanup" and spec.weekday == 6


def test_storage_url_is_read():
    parsed = _s3_from_url("s3://KEY:S%2Fecret@minio.local:9000/files?region=eu-west-1&secure=false")
    assert parsed == {
        "bucket": "files",
        "endpoint": "http://minio.local:9000",
        "key": "KEY",
        "secret": "S/ecret",
        "region": "eu-west-1",
    }
    assert _s3_from_url("s3://K:S@s3.amazonaws.com/b")["endpoint"] == "https://s3.amazonaws.com"


def test_the_default_is_the_local_media_folder():
    from django.conf import settings as live

    assert live.ATTACHMENTS_MAX_FILE_MB == 25
