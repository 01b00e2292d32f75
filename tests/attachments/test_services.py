"""Uploads through the service: limits, sniffing, names, permissions, jobs and deletion."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from portal.attachments import services
from portal.attachments.models import Attachment, ScanState
from portal.attachments.names import download_name, readable_name
from portal.attachments.services import attachment_delete, attachment_upload
from portal.attachments.storage import attachment_storage
from portal.events.models import Event
from portal.jobs.models import Job, JobStatus
from portal.tasks.services import comment_add, comment_delete, task_delete
from tests.attachments import files
from tests.attachments.conftest import run_jobs, stored_files

pytestmark = pytest.mark.django_db


def attach(actor, task, name, data, **kwargs):
    return attachment_upload(actor=actor, task=task, file=files.upload(name, data), **kwargs)


def test_a_pdf_is_stored_under_a_generated_name_with_its_sniffed_type(task, member, media):
    item = attach(member, task, "report.pdf", files.PDF)
    assert item.name == "report.pdf"
    assert item.content_type == "application/pdf" and item.size == len(files.PDF)
    assert item.storage_name.startswith(f"attachments/files/{task.pk}/")
    assert "report" not in item.storage_name and item.storage_name.endswith(".pdf")
    assert item.scan_state == ScanState.CLEAN
    assert stored_files(media) == [item.storage_name]
    assert (media / item.storage_name).read_bytes() == files.PDF
    import hashlib

    assert item.sha256 == hashlib.sha256(files.PDF).hexdigest()


def test_the_type_comes_from_the_bytes_not_the_name(task, member):
    assert attach(member, task, "notes.pdf", files.TEXT).content_type == "text/plain"
    assert attach(member, task, "photo", files.png_bytes()).content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("holiday.jpg", files.EXE, "looks like a program"),
        ("report.pdf", files.ELF, "looks like a program"),
        ("setup.exe", files.TEXT, "looks like a program"),
        ("page.txt", files.HTML, "looks like a web page"),
        ("page.html", files.TEXT, "looks like a web page"),
        ("logo.png", files.SVG, "looks like an SVG image"),
        ("photo.png", files.polyglot_png(), "web page code inside"),
        ("bomb.png", files.bomb_png(), "pixels"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_refused_files_leave_nothing_behind(task, member, media, name, data, message):
    with pytest.raises(ValidationError) as refused:
        attach(member, task, name, data)
    assert message in refused.value.messages[0] and name in refused.value.messages[0]
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert not Event.objects.filter(kind="attachment.added").exists()


def test_an_oversized_file_is_refused(task, member, media, settings):
    settings.ATTACHMENTS_MAX_FILE_MB = 0.01  # about 10 KB
    with pytest.raises(ValidationError, match=r"big\.txt is 20 KB: files may be at most 10 KB"):
        attach(member, task, "big.txt", b"a" * 20_480)
    assert stored_files(media) == []


def test_a_task_holds_at_most_its_total(task, member, media, settings):
    settings.ATTACHMENTS_MAX_TASK_MB = 0.02  # about 20 KB
    attach(member, task, "one.txt", b"a" * 12_000)
    with pytest.raises(ValidationError, match="a task holds at most 20 KB"):
        attach(member, task, "two.txt", b"b" * 12_000)
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1


def test_the_operator_may_allow_svg(task, member, settings):
    settings.ATTACHMENTS_ALLOW_TYPES = ["image/svg+xml"]
    assert attach(member, task, "logo.svg", files.SVG).content_type == "image/svg+xml"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a\x00b.txt", "a\ufffdb.txt"),
        ("line\r\nbreak.txt", "line\ufffd\ufffdbreak.txt"),
        ("invoice\u202egpj.txt", "invoice\u202egpj.txt"),
    ],
)
def test_path_tricks_are_kept_as_names_only(task, member, media, given, kept):
    item = attach(member, task, given, files.TEXT)
    assert item.name == kept
    assert item.storage_name.startswith(f"attachments/files/{task.pk}/")
    assert ".." not in item.storage_name and "\x00" not in item.storage_name
    assert stored_files(media) == [item.storage_name]


def test_names_without_a_name_get_one():
    from portal.attachments.names import given_name

    assert given_name("..") == given_name("../") == given_name("") == given_name(None) == "file"


def test_a_very_long_name_is_shortened_keeping_its_end(task, member):
    from portal.attachments.names import given_name

    item = attach(member, task, "x" * 1000 + ".txt", files.TEXT)
    assert len(item.name) <= 255 and item.name.endswith("x.txt")
    kept = given_name("y" * 1000 + ".tar.gz")
    assert len(kept) == 255 and kept.endswith("y.tar.gz") and "\u2026" in kept


def test_bidirectional_controls_are_shown_and_never_downloaded():
    name = "invoice\u202egpj.exe"
    assert readable_name(name) == "invoice<U+202E>gpj.exe"
    assert download_name(name) == "invoicegpj.exe"


def test_viewers_and_outsiders_cannot_upload(task, viewer, outsider, media):
    for person in (viewer, outsider):
        with pytest.raises(PermissionDenied, match="Only leads and members"):
            attach(person, task, "a.txt", files.TEXT)
    assert stored_files(media) == []


def test_the_uploader_and_leads_delete_others_do_not(task, member, member2, lead, viewer):
    first = attach(member, task, "a.txt", files.TEXT)
    second = attach(member, task, "b.txt", files.TEXT)
    for person in (member2, viewer):
        with pytest.raises(PermissionDenied, match="Only the person who attached"):
            attachment_delete(actor=person, attachment=first)
    attachment_delete(actor=member, attachment=first)
    attachment_delete(actor=lead, attachment=second)
    assert not Attachment.objects.exists()


def test_a_deleted_attachment_deletes_its_files_by_a_job(task, member, media):
    item = attach(member, task, "photo.png", files.png_bytes())
    run_jobs(services.PROCESS_JOB)
    item.refresh_from_db()
    assert item.thumbnail_name and len(stored_files(media)) == 2
    attachment_delete(actor=member, attachment=item)
    assert len(stored_files(media)) == 2  # until the job runs
    [job] = run_jobs(services.DELETE_JOB)
    assert job.status == JobStatus.SUCCEEDED
    assert stored_files(media) == []
    assert Event.objects.filter(kind="attachment.deleted").count() == 1


def test_deleting_a_task_or_a_comment_deletes_their_files(task, member, lead, media):
    comment = comment_add(actor=member, task=task, body="Here is the log")
    attach(member, task, "log.txt", files.TEXT, comment=comment)
    attach(member, task, "report.pdf", files.PDF)
    comment_delete(actor=member, comment=comment)
    assert list(Attachment.objects.values_list("name", flat=True)) == ["report.pdf"]
    run_jobs(services.DELETE_JOB)
    assert len(stored_files(media)) == 1
    task_delete(actor=lead, task=task)
    run_jobs(services.DELETE_JOB)
    assert stored_files(media) == [] and not Attachment.objects.exists()


def test_a_failed_deletion_is_retried(task, member, media, monkeypatch):
    item = attach(member, task, "a.txt", files.TEXT)
    attachment_delete(actor=member, attachment=item)
    storage = attachment_storage()
    real = type(storage).delete

    def away(self, name):
        raise OSError("storage away")

    monkeypatch.setattr(type(storage), "delete", away)
    [job] = run_jobs(services.DELETE_JOB)
    assert job.status == JobStatus.QUEUED or job.status == JobStatus.FAILED
    assert job.attempts == 1 and "storage away" in job.error
    monkeypatch.setattr(type(storage), "delete", real)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    run_jobs(services.DELETE_JOB)
    assert stored_files(media) == []


def test_a_comment_of_another_task_is_refused(task, member, team):
    from portal.tasks.services import task_create

    elsewhere = task_create(actor=member, team=team, title="Elsewhere")
    comment = comment_add(actor=member, task=elsewhere, body="hi")
    with pytest.raises(ValidationError, match="not on this task"):
        attach(member, task, "a.txt", files.TEXT, comment=comment)


def test_thumbnails_are_small_and_carry_no_exif(task, member, media):
    item = attach(member, task, "camera.jpg", files.jpeg_bytes(size=(1200, 800)))
    with Image.open(media / item.storage_name) as original:
        assert original.getexif().get(0x010F) == "SecretCamera"
    run_jobs(services.PROCESS_JOB)
    item.refresh_from_db()
    with Image.open(media / item.thumbnail_name) as thumb:
        assert max(thumb.size) == 320
        assert not thumb.getexif() and "exif" not in thumb.info


def test_the_scanner_decides_before_downloads(task, member, settings):
    settings.ATTACHMENTS_SCANNER = "tests.attachments.scanners.refuse_eicar"
    good = attach(member, task, "ok.txt", files.TEXT)
    bad = attach(member, task, "eicar.txt", b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR")
    assert good.scan_state == bad.scan_state == ScanState.PENDING
    run_jobs(services.PROCESS_JOB)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.scan_state == ScanState.CLEAN
    assert bad.scan_state == ScanState.REJECTED and bad.scan_note == "EICAR test signature"


def test_the_upload_is_recorded_in_history_and_events(task, member):
    item = attach(member, task, "report.pdf", files.PDF)
    record = item.history.get()
    assert record.history_type == "+" and record.history_user == member
    event = Event.objects.get(kind="attachment.added")
    assert event.task_id == task.pk and event.payload["name"] == "report.pdf"
    assert event.payload["key"] == task.key


def test_the_thumbnail_job_refuses_a_bomb_that_got_in(task, member, media, settings):
    """An image stored under a higher limit is not decoded by the job under a lower one."""
    item = attach(member, task, "big.png", files.png_bytes(size=(400, 300)))
    settings.ATTACHMENTS_MAX_IMAGE_PIXELS = 1000
    [job] = run_jobs(services.PROCESS_JOB)
    item.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["thumbnail"] == ""
    assert item.thumbnail_name == "" and stored_files(media) == [item.storage_name]


def test_a_missing_stored_file_is_gone_not_an_error(client, task, member, media):
    from django.urls import reverse

    item = attach(member, task, "a.txt", files.TEXT)
    (media / item.storage_name).unlink()
    client.force_login(member)
    response = client.get(reverse("pages:attachment", args=[task.team.slug, task.number, item.pk]))
    assert response.status_code == 410 and b"no longer in storage" in response.content
