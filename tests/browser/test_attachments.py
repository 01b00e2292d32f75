"""Attachments in a real browser: marcus (OPS member) drops two files on a task's page, sees the
upload's result and, once the worker made it, the image's thumbnail; he downloads the text file.
dana (DES lead, not in OPS) gets 404 for the file and its thumbnail, even with the exact address.
Screenshots of the task page with attachments, desktop and 390 px wide."""

import base64
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.attachments.models import Attachment
from portal.tasks.models import Task
from tests.attachments.conftest import run_jobs
from tests.browser.browsing import phone_overflow, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOG = b"2026-12-06 09:14:03 printer jammed on tray 2\n2026-12-06 09:15:40 cleared\n"

DROP = """([zone, entries]) => {
    const transfer = new DataTransfer();
    for (const [name, type, data] of entries) {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], name, {type}));
    }
    const target = document.querySelector(zone);
    for (const kind of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true, dataTransfer: transfer}));
    }
}"""


@pytest.fixture
def media(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }
    settings.ATTACHMENTS_SCANNER = ""
    return tmp_path / "media"


def whiteboard() -> bytes:
    """A picture worth a thumbnail: sticky notes and arrows on a whiteboard."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 500), (246, 246, 240))
    draw = ImageDraw.Draw(image)
    notes = [(60, 60, (255, 214, 92)), (320, 90, (140, 206, 255)), (560, 60, (255, 150, 160))]
    for x, y, color in notes:
        draw.rectangle((x, y, x + 170, y + 140), fill=color)
        for line in range(3):
            draw.line(
                (x + 20, y + 35 + line * 30, x + 150, y + 35 + line * 30),
                fill=(60, 60, 60),
                width=4,
            )
    draw.line((235, 130, 315, 150), fill=(30, 30, 30), width=6)
    draw.line((495, 160, 555, 130), fill=(30, 30, 30), width=6)
    draw.ellipse((300, 300, 520, 440), outline=(200, 40, 40), width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_drop_two_files_see_the_thumbnail_download_and_outsiders_cannot(
    browser, live_server, shots, media
):
    call_command("demo", verbosity=0)
    task = Task.objects.filter(team__key="OPS").order_by("number").first()
    task_url = f"{live_server.url}/teams/{task.team.slug}/tasks/{task.number}/"
    page, errors = signed_in_page(browser, live_server, "marcus")
    page.goto(task_url)
    page.wait_for_selector("#attach-drop")
    photo = whiteboard()
    page.evaluate(
        DROP,
        [
            "#attach-drop",
            [
                ["whiteboard.png", "image/png", _b64(photo)],
                ["printer.log", "text/plain", _b64(LOG)],
            ],
        ],
    )
    page.wait_for_selector("#attachments-title:has-text('Attachments (2)')")
    notes = page.locator(".attach-notes").inner_text()
    assert "whiteboard.png attached." in notes and "printer.log attached." in notes
    assert Attachment.objects.filter(task=task).count() == 2

    # The worker makes the thumbnail; the page shows it after a reload.
    run_jobs()
    page.reload()
    thumb = page.locator("#attachments .attach-thumb img")
    thumb.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('#attachments .attach-thumb img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert (
        page.evaluate("document.querySelector('#attachments .attach-thumb img').naturalWidth")
        == 320
    )

    with page.expect_download() as download:
        page.locator("#attachments a.attach-name", has_text="printer.log").click()
    saved = download.value
    assert saved.suggested_filename == "printer.log"
    assert Path(saved.path()).read_bytes() == LOG

    page.locator("#attachments").scroll_into_view_if_needed()
    page.screenshot(path=shots / "task-attachments.png", full_page=True)
    assert not errors, errors

    phone, phone_errors = signed_in_page(browser, live_server, "marcus", width=390, height=844)
    phone.goto(task_url + "#attachments")
    phone.wait_for_selector("#attachments .attach-thumb img")
    assert phone_overflow(phone) == 0
    phone.screenshot(path=shots / "task-attachments-phone.png", full_page=True)
    assert not phone_errors, phone_errors

    # dana leads DES, not OPS: the file, its thumbnail and the task are all "not found".
    image = Attachment.objects.get(task=task, name="whiteboard.png")
    addresses = [
        f"{task_url}attachments/{image.pk}/",
        f"{task_url}attachments/{image.pk}/thumbnail/",
        task_url,
    ]
    outsider, _ = signed_in_page(browser, live_server, "dana")
    for address in addresses:
        assert outsider.request.get(address).status == 404, address
        assert page.request.get(address).status == 200, address
