"""Calendar feeds: the token on the profile, the two feeds, parsed back with icalendar."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from portal.accounts.models import FeedToken
from portal.accounts.services import FEED_OTHERS, feed_token_renew, feed_token_revoke
from portal.pages.views.profile import FEED_ACTION_INVALID, FEED_RENEWED
from portal.tasks.models import Task
from portal.tasks.services import task_create, task_update

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


@pytest.fixture
def world(team, other_team, member, member2, outsider):
    make = lambda title, **f: task_create(actor=member, team=team, title=title, **f)  # noqa: E731
    return {
        "day": make(
            'Renew; certs, "now" \\ please',
            due_date=date(2026, 12, 24),
            assignees=[member],
            description="Line one\nLine, two; three",
        ),
        "timed": make(
            "Call", due_date=datetime(2026, 12, 10, 15, 30, tzinfo=UTC), assignees=[member]
        ),
        "others": make("Theirs", due_date=date(2026, 12, 11), assignees=[member2]),
        "nodue": make("No due", assignees=[member]),
        "archived": make("Old", due_date=date(2026, 12, 1), assignees=[member], is_archived=True),
        "foreign": task_create(
            actor=outsider, team=other_team, title="Secret", due_date=date(2026, 12, 3)
        ),
    }


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}, response


def test_my_feed_has_my_dated_tasks_as_events(client, member, world):
    token = feed_token_renew(actor=member, user=member).token
    events, response = feed(client, f"/feeds/{token}/my.ics")
    assert set(events) == {'OPS-1 Renew; certs, "now" \\ please', "OPS-2 Call"}
    day = events['OPS-1 Renew; certs, "now" \\ please']
    assert day["dtstart"].dt == date(2026, 12, 24) and day["dtend"].dt == date(2026, 12, 25)
    assert b"DTSTART;VALUE=DATE:20261224" in response.content
    assert str(day["uid"]) == f"task-{world['day'].pk}@testserver"
    assert str(day["url"]) == "http://testserver/teams/operations/tasks/1/"
    assert "Line, two; three" in str(day["description"])
    assert b"Line\\, two\\; three" in response.content  # escaped text (RFC 5545 3.3.11)
    timed = events["OPS-2 Call"]
    assert timed["dtstart"].dt == datetime(2026, 12, 10, 15, 30, tzinfo=UTC)
    assert "dtend" not in timed


def test_sequence_and_last_modified_follow_changes(client, member, world):
    token = feed_token_renew(actor=member, user=member).token
    events, _ = feed(client, f"/feeds/{token}/my.ics")
    before = events["OPS-2 Call"]
    task = Task.objects.get(pk=world["timed"].pk)
    Task.objects.filter(pk=task.pk).update(created_at=task.created_at - timedelta(minutes=5))
    task_update(actor=member, task=Task.objects.get(pk=task.pk), title="Call back")
    after, _ = feed(client, f"/feeds/{token}/my.ics")
    changed = after["OPS-2 Call back"]
    assert str(changed["uid"]) == str(before["uid"])
    assert int(changed["sequence"]) > int(before["sequence"])
    assert changed["last-modified"].dt >= before["last-modified"].dt


def test_team_feed_has_the_teams_dated_tasks(client, member, world, outsider):
    token = feed_token_renew(actor=member, user=member).token
    events, _ = feed(client, f"/feeds/{token}/team/operations.ics")
    assert {s.split(" ")[0] for s in events} == {"OPS-1", "OPS-2", "OPS-3"}
    assert client.get(f"/feeds/{token}/team/design.ics").status_code == 404


def test_wrong_renewed_or_revoked_tokens_answer_404(client, member, world):
    old = feed_token_renew(actor=member, user=member).token
    new = feed_token_renew(actor=member, user=member).token
    assert old != new and len(new) >= 40
    assert client.get(f"/feeds/{old}/my.ics").status_code == 404
    assert client.get(f"/feeds/{new}/my.ics").status_code == 200
    assert client.get("/feeds/nope/my.ics").status_code == 404
    assert feed_token_revoke(actor=member, user=member) is True
    assert client.get(f"/feeds/{new}/my.ics").status_code == 404
    assert client.get(f"/feeds/{new}/team/operations.ics").status_code == 404


def test_inactive_people_have_no_feed(client, member, world):
    token = feed_token_renew(actor=member, user=member).token
    member.is_active = False
    member.save()
    assert client.get(f"/feeds/{token}/my.ics").status_code == 404


def test_only_the_person_changes_their_feed(member, member2):
    with pytest.raises(Exception, match=FEED_OTHERS):
        feed_token_renew(actor=member2, user=member)
    with pytest.raises(Exception, match=FEED_OTHERS):
        feed_token_revoke(actor=member2, user=member)


def test_feed_queries_do_not_grow_with_tasks(client, team, member, django_assert_max_num_queries):
    token = feed_token_renew(actor=member, user=member).token

    def fill(count):
        start = Task.objects.filter(team=team).count()
        rows = Task.objects.bulk_create(
            Task(
                team=team,
                number=start + i + 1,
                title=f"T{i}",
                due_date=datetime(2026, 12, 1, tzinfo=UTC) + timedelta(hours=i),
            )
            for i in range(count)
        )
        Task.assignees.through.objects.bulk_create(
            Task.assignees.through(task_id=t.pk, user_id=member.pk) for t in rows
        )
        team.last_task_number = start + count
        team.save()

    counts = []
    for count in (10, 490):
        fill(count)
        with django_assert_max_num_queries(10) as captured:
            events, _ = feed(client, f"/feeds/{token}/my.ics")
        counts.append(len(captured))
    assert len(events) == 500 and counts[0] == counts[1]


def test_profile_shows_renews_and_revokes_the_feed(client, member, world):
    client.force_login(member)
    page = client.get("/profile/").content.decode()
    assert "You have no calendar feed." in page
    response = client.post("/profile/feed/", {"action": "renew"}, follow=True)
    token = FeedToken.objects.get(user=member).token
    html = response.content.decode()
    assert FEED_RENEWED in html
    assert f"http://testserver/feeds/{token}/my.ics" in html
    assert f"http://testserver/feeds/{token}/team/operations.ics" in html
    client.post("/profile/feed/", {"action": "revoke"})
    assert not FeedToken.objects.filter(user=member).exists()
    bad = client.post("/profile/feed/", {"action": "steal"})
    assert bad.status_code == 400 and bad.content.decode() == FEED_ACTION_INVALID
