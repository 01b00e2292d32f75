"""The activity page: the team's feed, paged by an opaque cursor, hostile cursors harmless."""

import pytest

from portal.pages.views.activity import CURSOR_INVALID, decode_cursor, encode_cursor
from portal.tasks.selectors import ACTIVITY_PAGE
from portal.tasks.services import comment_add, task_create, task_update

pytestmark = pytest.mark.django_db
ACTIVITY = "/teams/operations/activity/"


@pytest.fixture
def busy(team, member, member2):
    for number in range(ACTIVITY_PAGE):
        task = task_create(actor=member, team=team, title=f"Task {number}")
        task_update(actor=member2, task=task, priority="urgent")
        comment_add(actor=member, task=task, body=f"Looked at {number}")


def test_feed_shows_who_changed_what_and_comments(client, team, member, member2):
    task = task_create(actor=member, team=team, title="Fix the printer")
    task_update(actor=member2, task=task, status="blocked")
    comment_add(actor=member2, task=task, body="Waiting for toner")
    client.force_login(member)
    response = client.get(ACTIVITY)
    assert response.status_code == 200
    html = response.content.decode()
    assert [e["kind"] for e in response.context["entries"]] == ["comment", "task", "task"]
    for text in (
        "member2",
        "commented on",
        "Waiting for toner",
        "Status",
        "To do",
        "Blocked",
        'href="/teams/operations/tasks/1/"',
    ):
        assert text in html, text


def test_outsiders_get_404_and_viewers_read(client, team, member, viewer, outsider):
    task_create(actor=member, team=team, title="Plan")
    client.force_login(outsider)
    assert client.get(ACTIVITY).status_code == 404
    client.force_login(viewer)
    assert len(client.get(ACTIVITY).context["entries"]) == 1


def test_older_pages_follow_the_cursor(client, busy, member):
    client.force_login(member)
    first = client.get(ACTIVITY)
    assert len(first.context["entries"]) == ACTIVITY_PAGE and first.context["older"]
    seen = {(e["kind"], e["id"]) for e in first.context["entries"]}
    url, pages = first.context["older"], 1
    while url:
        response = client.get(ACTIVITY, {"before": url})
        page = {(e["kind"], e["id"]) for e in response.context["entries"]}
        assert not page & seen
        seen |= page
        url, pages = response.context["older"], pages + 1
    assert len(seen) == 3 * ACTIVITY_PAGE and pages == 3


@pytest.mark.parametrize(
    "before",
    [
        "x",
        "2026-01-01T00:00:00~2",
        "2026-01-01T00:00:00~2~5",  # no time zone
        "2026-01-01T00:00:00+00:00~7~5",
        "2026-01-01T00:00:00+00:00~2~0",
        "2026-01-01T00:00:00+00:00~2~99999999999999999999",
        "9999-99-99T00:00:00+00:00~2~5",
        "~~",
        "0001-01-01T00:00:00+14:00~2~5",  # before year 1 in UTC
        "9999-12-31T23:59:59-14:00~2~5",  # after year 9999 in UTC
        "a" * 5000,
    ],
)
def test_a_bad_cursor_shows_the_latest_with_a_message(client, team, member, before):
    task_create(actor=member, team=team, title="Plan")
    client.force_login(member)
    response = client.get(ACTIVITY, {"before": before})
    assert response.status_code == 200
    assert response.context["error"] == CURSOR_INVALID
    assert len(response.context["entries"]) == 1


def test_cursors_round_trip():
    from datetime import UTC, datetime

    cursor = (datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC), 2, 42)
    assert decode_cursor(encode_cursor(cursor)) == cursor


def test_activity_queries_do_not_grow(
    client, busy, team, member, member2, django_assert_max_num_queries
):
    from tests.pages.conftest import count_queries

    client.force_login(member)
    small, _ = count_queries(client, ACTIVITY, django_assert_max_num_queries)
    for number in range(3 * ACTIVITY_PAGE):
        task = task_create(actor=member, team=team, title=f"More {number}")
        task_update(actor=member2, task=task, priority="urgent")
        comment_add(actor=member, task=task, body=f"Looked again at {number}")
    large, _ = count_queries(client, ACTIVITY, django_assert_max_num_queries)
    assert small == large


def test_the_feed_names_who_deleted_a_task_and_the_weekly_clean_up(client, team, lead, member):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from portal.jobs.jobs import archive_cleanup
    from portal.jobs.models import Job, JobStatus
    from portal.jobs.runner import JobContext
    from portal.tasks.services import task_archive, task_delete

    task_delete(actor=lead, task=task_create(actor=member, team=team, title="Deleted by hand"))
    with time_machine.travel(timezone.now() - timedelta(days=40), tick=False):
        old = task_create(actor=member, team=team, title="Long archived")
        task_archive(actor=lead, task=old)
    job = Job.objects.create(kind="archive_cleanup", status=JobStatus.RUNNING, attempts=1)
    archive_cleanup(JobContext(job), days=30)
    client.force_login(member)
    response = client.get(ACTIVITY)
    deleted = [e for e in response.context["entries"] if e["type"] == "deleted"]
    assert [(e["task_title"], e["by"]) for e in deleted] == [
        ("Long archived", "clean-up (archived 30 days)"),
        ("Deleted by hand", ""),
    ]
    assert deleted[1]["user"] == lead
    html = response.content.decode()
    assert "<strong>clean-up (archived 30 days)</strong>" in html
    assert "<strong>someone</strong>" not in html
