"""The task admin page's Attachments section: list, attach several files, delete."""

import pytest
from django.urls import reverse

from portal.attachments.models import Attachment
from portal.attachments.services import attachment_upload
from tests.attachments import files

pytestmark = pytest.mark.django_db


def change_url(task):
    return reverse("admin:tasks_task_change", args=[task.pk])


def test_the_section_lists_files_with_escaped_names(client, task, member):
    attachment_upload(
        actor=member, task=task, file=files.upload("<img src=x onerror=alert(1)>.txt", files.TEXT)
    )
    client.force_login(member)
    page = client.get(change_url(task)).content.decode()
    assert "Attachments" in page and 'name="attach_files"' in page
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page and "<img src=x" not in page
    assert 'enctype="multipart/form-data"' in page


def test_attach_and_delete_from_the_admin(client, task, member, media):
    old = attachment_upload(actor=member, task=task, file=files.upload("old.txt", files.TEXT))
    client.force_login(member)
    page = client.get(change_url(task))
    assert page.status_code == 200
    data = {
        **_initial(page),
        "attach_files": [
            files.upload("report.pdf", files.PDF),
            files.upload("evil.jpg", files.EXE),
        ],
        "remove_attachments": [str(old.pk)],
    }
    response = client.post(change_url(task), data, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "report.pdf attached." in text and "evil.jpg looks like a program" in text
    assert "old.txt deleted." in text
    assert list(Attachment.objects.values_list("name", flat=True)) == ["report.pdf"]


def test_a_viewer_sees_files_but_cannot_attach(client, task, member, viewer):
    attachment_upload(actor=member, task=task, file=files.upload("a.txt", files.TEXT))
    client.force_login(viewer)
    page = client.get(change_url(task)).content.decode()
    assert "a.txt" in page and 'name="attach_files"' not in page


def _initial(response):
    """Every field of the change form with the value it shows."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if name in ("attach_files", "remove_attachments"):
            continue
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "all"):
            value = [v.pk for v in value.all()]
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, "")
        for inline in formset.formset.initial_forms:
            for name in inline.fields:
                value = inline.instance.pk if name == "id" else inline.initial.get(name)
                if value is not None:
                    data[inline.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_a_lead_chooses_images_on_cards_in_the_team_admin(client, team, lead, member):
    from portal.attachments.selectors import team_shows_card_images

    url = reverse("admin:teams_team_change", args=[team.pk])
    client.force_login(lead)
    page = client.get(url)
    assert 'name="card_images"' in page.content.decode()
    data = _initial(page)
    data["card_images"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    assert team_shows_card_images(team)
    data.pop("card_images")
    client.post(url, data)
    assert not team_shows_card_images(team)


def test_only_leads_change_the_choice(team, member):
    from django.core.exceptions import PermissionDenied

    from portal.attachments.services import card_images_set

    with pytest.raises(PermissionDenied):
        card_images_set(actor=member, team=team, enabled=True)
