"""The admin header's bell: the person's unread notifications in one query, to the inbox."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.notifications.models import Notification
from portal.notifications.selectors import UNREAD_CAP
from portal.tasks import services as ts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify(user, task, number, read=False):
    from django.utils import timezone

    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind="commented",
            team_id=task.team_id,
            task=task,
            task_key=task.key,
            task_title=task.title,
            read_at=timezone.now() if read else None,
        )
        for _ in range(number)
    )


@pytest.fixture
def task(team, lead):
    return ts.task_create(actor=lead, team=team, title="Fix the printer")


def test_the_bell_counts_unread_and_links_to_the_inbox(client, task, member, lead):
    notify(member, task, 3)
    notify(member, task, 2, read=True)
    notify(lead, task, 4)  # someone else's
    client.force_login(member)
    html = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{reverse("pages:inbox")}" id="admin-bell"' in html
    assert 'aria-label="Inbox: 3 unread"' in html
    assert '<span id="admin-bell-count" class="portal-bell-count">3</span>' in html


def test_no_number_when_all_is_read_and_a_cap_beyond_99(client, task, member, superuser):
    client.force_login(member)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'id="admin-bell"' in html and 'aria-label="Inbox: 0 unread"' in html
    assert "admin-bell-count" not in html
    notify(member, task, UNREAD_CAP + 5)
    html = client.get(reverse("admin:index")).content.decode()
    assert f">{UNREAD_CAP}+</span>" in html and f"Inbox: {UNREAD_CAP}+ unread" in html


def test_the_bell_costs_one_query(client, task, member):
    client.force_login(member)
    url = reverse("admin:tasks_task_changelist")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    notify(member, task, 50)
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert ">50</span>" in html
    bell = [q["sql"] for q in after.captured_queries if "notifications_notification" in q["sql"]]
    assert len(bell) == 1 and "COUNT" in bell[0].upper()
    assert len(after) == len(before)


def test_no_bell_for_someone_signed_out_or_outside_the_admin(client, db):
    assert "admin-bell" not in client.get(reverse("admin:login")).content.decode()
    nobody = UserFactory(username="nobody")  # no team, not staff: the admin's "no team" page
    client.force_login(nobody)
    assert "admin-bell" not in client.get(reverse("admin:index")).content.decode()
