"""The doors: a team-page write and an API write notify; the inbox page, the API, watching,
preferences and one-click unsubscribe; what the lists cost."""

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.events.models import Event
from portal.jobs.selectors import due_event_candidates
from portal.jobs.services import due_events_record
from portal.notifications import services as ns
from portal.notifications.email import emails_send
from portal.notifications.kinds import Delivery, Kind
from portal.notifications.models import Notification, Preference, Watch
from portal.tasks import services as ts
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(team, lead, member, dispatch):
    task = ts.task_create(actor=lead, team=team, title="Fix the printer", assignees=[member])
    dispatch()
    Notification.objects.all().delete()
    return task


def task_url(task):
    return reverse("pages:task", args=[task.team.slug, task.number])


def test_a_comment_on_the_team_page_tells_the_watchers(client, task, member, dispatch):
    client.force_login(member)
    response = client.post(task_url(task) + "comments/", {"body": "Done @lead"})
    assert response.status_code == 302
    dispatch()
    assert told() == {"lead": Kind.MENTIONED}
    note = Notification.objects.get()
    assert note.comment_id == task.comments.get().pk


def test_an_assignment_through_the_api_tells_the_assignee(api_for, task, lead, member2, dispatch):
    response = api_for(lead).post(
        f"/api/tasks/{task.pk}/assign/", {"assignee_ids": [member2.pk]}, format="json"
    )
    assert response.status_code == 200
    dispatch()
    assert told() == {"member2": Kind.ASSIGNED}


def test_the_inbox_lists_filters_opens_and_marks_all_read(client, task, lead, member, dispatch):
    comment = ts.comment_add(actor=lead, task=task, body="@member look")
    ts.task_update(actor=lead, task=task, status="done")
    dispatch()
    client.force_login(member)
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert len(page.context["notifications"]) == 2
    assert b'id="bell-count">2<' in page.content
    mention = Notification.objects.get(kind=Kind.MENTIONED)
    opened = client.get(f"/inbox/{mention.pk}/")
    assert opened.status_code == 302
    assert opened["Location"] == task_url(task) + f"#comment-{comment.pk}"
    assert len(client.get("/inbox/?show=unread").context["notifications"]) == 1
    assert client.post("/inbox/read-all/").status_code == 302
    assert client.get("/inbox/?show=unread").context["notifications"] == []
    # Someone else's notification is not found.
    client.force_login(lead)
    assert client.get(f"/inbox/{mention.pk}/").status_code == 404


def _notes(user, task, n):
    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=Kind.COMMENTED,
            actor=task.created_by,
            team_id=task.team_id,
            task=task,
            task_key=task.key,
            task_title=task.title,
        )
        for _ in range(n)
    )


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


def test_inbox_and_api_lists_cost_the_same_for_5_and_50(client, api_for, task, member):
    client.force_login(member)
    api = api_for(member)
    _notes(member, task, 5)
    small = (
        _queries(lambda: client.get("/inbox/")),
        _queries(lambda: api.get("/api/notifications/")),
    )
    _notes(member, task, 45)
    large = (
        _queries(lambda: client.get("/inbox/")),
        _queries(lambda: api.get("/api/notifications/")),
    )
    assert small == large


def test_the_api_lists_reads_and_refuses_bad_input(api_for, task, lead, member, dispatch):
    ts.comment_add(actor=lead, task=task, body="@member look")
    ts.task_update(actor=lead, task=task, status="done")
    dispatch()
    api = api_for(member)
    listed = api.get("/api/notifications/").json()
    assert listed["count"] == 2
    assert {r["kind"] for r in listed["results"]} == {Kind.MENTIONED, Kind.STATUS}
    first = listed["results"][0]["id"]
    read = api.post(f"/api/notifications/{first}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert api.get("/api/notifications/?unread=1").json()["count"] == 1
    assert api.get("/api/notifications/?unread=0").json()["count"] == 1
    assert api.get("/api/notifications/?unread=yes").status_code == 400
    assert api.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert api_for(lead).post(f"/api/notifications/{first}/read/").status_code == 404


def test_watching_through_the_api_and_the_page(api_for, client, task, viewer, outsider):
    api = api_for(viewer)
    assert api.post(f"/api/tasks/{task.pk}/watch/").status_code == 201
    assert api.post(f"/api/tasks/{task.pk}/watch/").status_code == 200
    assert Watch.objects.filter(task=task, user=viewer).exists()
    assert api.delete(f"/api/tasks/{task.pk}/watch/").status_code == 204
    assert not Watch.objects.filter(task=task, user=viewer).exists()
    assert api_for(outsider).post(f"/api/tasks/{task.pk}/watch/").status_code == 404
    client.force_login(viewer)
    assert b'id="watch"' in client.get(task_url(task)).content
    client.post(task_url(task) + "watch/", {"watch": "1"})
    assert b'id="unwatch"' in client.get(task_url(task)).content
    client.post(task_url(task) + "watch/", {"watch": "0"})
    assert not Watch.objects.filter(task=task, user=viewer).exists()


def test_the_preferences_page_saves_choices(client, member):
    client.force_login(member)
    page = client.get("/profile/notifications/")
    assert page.status_code == 200
    data = {kind: Delivery.NEVER for kind in Kind.values}
    assert client.post("/profile/notifications/", data).status_code == 302
    assert Preference.objects.filter(user=member, delivery=Delivery.NEVER).count() == 6
    assert client.post("/profile/notifications/", {"assigned": "sometimes"}).status_code == 200


def test_an_immediate_email_is_sent_once_with_one_click_unsubscribe(
    client, task, lead, member, dispatch
):
    ts.comment_add(actor=lead, task=task, body="@member look")
    dispatch()
    assert emails_send().sent == 1
    assert emails_send().sent == 0  # marked emailed in the transaction that chose it
    message = mail.outbox[-1]
    assert message.to == [member.email]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    # Links start with the portal's public address (PORTAL_URL), as no request is at hand.
    assert url.startswith(settings.PORTAL_URL + "/notifications/unsubscribe/")
    path = url.removeprefix(settings.PORTAL_URL)
    assert f"{settings.PORTAL_URL}/profile/notifications/" in message.body
    # No sign-in needed: GET asks, POST unsubscribes.
    client.logout()
    assert b"confirm-unsubscribe" in client.get(path).content
    assert client.post(path).status_code == 200
    assert Preference.objects.get(user=member, kind=Kind.MENTIONED).delivery == Delivery.NEVER
    # A changed token is refused.
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = signing.dumps({"u": lead.pk, "k": ["mentioned"]}, salt="other")
    for bad in (token[:-2] + "xx", tampered):
        response = client.post(f"/notifications/unsubscribe/{bad}/")
        assert response.status_code == 400
    assert not Preference.objects.filter(user=lead).exists()


def test_the_daily_digest_groups_by_task(task, team, lead, member, dispatch):
    other = ts.task_create(actor=member, team=team, title="Order paper")
    ns.watch_add(actor=lead, task=other)
    dispatch()
    ts.comment_add(actor=lead, task=task, body="one")
    ts.task_update(actor=lead, task=task, status="done")
    ts.comment_add(actor=member, task=other, body="two")
    dispatch()
    outcome = emails_send(delivery=Delivery.DIGEST)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert outcome.sent == len(by_person) == 2
    body = by_person[member.email].body
    assert body.count(task.key) == 1  # one group per task, however many updates
    assert "A status change" in body and "A comment" in body


def test_the_reminders_job_records_due_events_once_per_due_date(task, lead, dispatch):
    # Due within the next day (a due moment 20 hours away), and one a week away: not yet.
    ts.task_update(actor=lead, task=task, due_date=timezone.now() + timezone.timedelta(hours=20))
    ts.task_create(
        actor=lead,
        team=task.team,
        title="Later",
        due_date=timezone.now() + timezone.timedelta(days=7),
    )
    yesterday = ts.task_create(
        actor=lead,
        team=task.team,
        title="Late",
        due_date=timezone.now() - timezone.timedelta(hours=2),
    )
    soon, overdue = due_event_candidates(now=timezone.now())
    assert [t.pk for t in soon] == [task.pk] and [t.pk for t in overdue] == [yesterday.pk]
    assert due_events_record(due_soon=soon, overdue=overdue) == 2
    soon, overdue = due_event_candidates(now=timezone.now())
    assert list(soon) == [] and list(overdue) == []
    assert Event.objects.filter(kind__in=["task.due_soon", "task.overdue"]).count() == 2
    dispatch()
    assert told(Kind.DUE_SOON) == {"lead": Kind.DUE_SOON, "member": Kind.DUE_SOON}
    assert told(Kind.OVERDUE) == {"lead": Kind.OVERDUE}


def test_unsubscribe_service_refuses_a_token_of_another_salt(member):
    with pytest.raises(ValidationError):
        ns.unsubscribe(signing.dumps({"u": member.pk, "k": ["assigned"]}))


def test_an_import_that_assigns_many_tasks_sends_one_email_per_person(team, lead, member, dispatch):
    from portal.tasks.services.bulk import TaskWrite, tasks_write_bulk

    rows = [
        TaskWrite(team=team, fields={"title": f"Imported {i}", "assignees": [member]})
        for i in range(60)
    ]
    result = tasks_write_bulk(actor=lead, rows=rows)
    assert not result.errors
    dispatch()
    assert Notification.objects.filter(user=member, kind=Kind.ASSIGNED).count() == 60
    mail.outbox.clear()
    outcome = emails_send()
    assert outcome.sent == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert "60 updates on 60 task(s)" in message.subject
    # 50 tasks listed, the other 10 named by number with the inbox's address.
    assert message.body.count("Assigned to you") == 50
    assert "... and 10 more task(s):" in message.body
    assert emails_send().sent == 0


def test_one_waiting_notification_is_emailed_on_its_own(task, lead, member, dispatch):
    ts.comment_add(actor=lead, task=task, body="@member one thing")
    dispatch()
    mail.outbox.clear()
    assert emails_send().sent == 1
    assert mail.outbox[0].subject.endswith(f"{task.key} {task.title}: You were mentioned")


def test_an_assignment_in_the_admin_tells_the_assignee(client, task, lead, member2, dispatch):
    from tests.tasks.test_admin import change_url, form_data

    client.force_login(lead)
    data = form_data(task, assignees=[u.pk for u in task.assignees.all()] + [member2.pk])
    response = client.post(change_url(task), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    dispatch()
    assert told() == {"member2": Kind.ASSIGNED}


def test_a_spreadsheet_import_tells_the_assignees(
    api_for, settings, tmp_path, task, lead, member2, dispatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.sheets import make_csv

    settings.SHARED_DIR = tmp_path / "shared"
    rows = [["team", "title", "assignees"], [task.team.key, "From the sheet", member2.username]]
    upload = SimpleUploadedFile("tasks.csv", make_csv(rows))
    response = api_for(lead).post(
        "/api/tasks/import/", {"file": upload, "dry_run": "false"}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["imported"], response.content
    dispatch()
    assert told() == {"member2": Kind.ASSIGNED}
    assert Notification.objects.get().task_title == "From the sheet"
