"""Repeating tasks: rules, their days (month ends, leap days, time zones), the next occurrence
created once when an occurrence is done, and every door that sets a repeat."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from portal.tasks.models import Status, Task
from portal.tasks.repeat import (
    FROM_DONE,
    REPEAT_DAYS,
    REPEAT_FREQ,
    RULE_FREQ,
    RULE_INTERVAL,
    RULE_NEEDS_DUE,
    RULE_NEVER,
    RULE_PART,
    Repeat,
    check_rule,
    next_day,
    parse_repeat_json,
    parse_repeat_text,
)
from portal.tasks.services import task_create, task_update
from tests.factories import TagFactory

WEEKLY_MO_TH = Repeat("FREQ=WEEKLY;BYDAY=MO,TH")


# --- rules -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FREQ=HOURLY", RULE_FREQ),
        ("FREQ=DAILY;BYHOUR=9,17", RULE_PART.format(part="BYHOUR")),
        ("FREQ=DAILY;INTERVAL=0", RULE_INTERVAL),
        ("FREQ=WEEKLY;BYDAY=XX", None),
        ("FREQ=DAILY\nRDATE:20261224", None),
        ("DTSTART:20260101", None),
        ("FREQ=DAILY;FREQ=WEEKLY", None),
    ],
)
def test_bad_rules_are_refused_with_a_reason(text, message):
    with pytest.raises(ValidationError) as exc:
        check_rule(text)
    if message:
        assert exc.value.messages == [message]


def test_rules_are_canonical_and_round_trip_as_text():
    assert check_rule("rrule:freq=weekly; byday=mo,th") == "FREQ=WEEKLY;BYDAY=MO,TH"
    assert check_rule("FREQ=DAILY;UNTIL=20261231T235959Z") == "FREQ=DAILY;UNTIL=20261231"
    done = parse_repeat_text("FREQ=DAILY;INTERVAL=3;X-FROM=DONE")
    assert done == Repeat("FREQ=DAILY;INTERVAL=3", FROM_DONE)
    assert parse_repeat_text(done.text()) == done
    assert parse_repeat_text("  ") is None


def test_choices_become_rules():
    assert (
        parse_repeat_json({"freq": "weekly", "interval": 1, "days": ["th", "mo"], "from": "due"})
        == WEEKLY_MO_TH
    )
    assert parse_repeat_json({"freq": "weekdays"}).rule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert parse_repeat_json({"freq": "daily", "interval": 2, "from": "done"}) == Repeat(
        "FREQ=DAILY;INTERVAL=2", FROM_DONE
    )
    assert parse_repeat_json({"freq": "monthly", "day": 31}).rule == (
        "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
    )
    assert parse_repeat_json({"rrule": "FREQ=YEARLY"}) == Repeat("FREQ=YEARLY")
    assert parse_repeat_json(None) is None
    for bad, message in [
        ({"freq": "hourly"}, REPEAT_FREQ),
        ({"freq": "daily", "days": ["mo"]}, REPEAT_DAYS),
        ({"freq": "weekly", "days": ["monday"]}, REPEAT_DAYS),
        ({"freq": "daily", "interval": "2"}, RULE_INTERVAL),
    ]:
        with pytest.raises(ValidationError) as exc:
            parse_repeat_json(bad)
        assert exc.value.messages == [message]


def test_month_ends_fall_on_the_last_day_of_shorter_months():
    monthly = "FREQ=MONTHLY"
    start = date(2026, 1, 31)
    assert next_day(monthly, start=start, after=start) == date(2026, 2, 28)
    assert next_day(monthly, start=start, after=date(2026, 2, 28)) == date(2026, 3, 31)
    assert next_day(monthly, start=start, after=date(2026, 3, 31)) == date(2026, 4, 30)
    leap = date(2028, 1, 31)
    assert next_day(monthly, start=leap, after=leap) == date(2028, 2, 29)
    day31 = parse_repeat_json({"freq": "monthly", "day": 31}).rule
    assert next_day(day31, start=date(2026, 1, 5), after=date(2026, 1, 31)) == date(2026, 2, 28)
    # RFC 5545's own BYMONTHDAY=31 skips the months without one.
    rfc = "FREQ=MONTHLY;BYMONTHDAY=31"
    assert next_day(rfc, start=start, after=start) == date(2026, 3, 31)


def test_leap_days_fall_on_february_28_in_other_years():
    start = date(2028, 2, 29)
    assert next_day("FREQ=YEARLY", start=start, after=start) == date(2029, 2, 28)
    assert next_day("FREQ=YEARLY", start=start, after=date(2031, 2, 28)) == date(2032, 2, 29)
    assert next_day("FREQ=DAILY", start=date(2028, 2, 28), after=date(2028, 2, 28)) == date(
        2028, 2, 29
    )


def test_rules_that_end_or_never_match_give_no_day():
    start = date(2026, 12, 1)
    assert next_day("FREQ=WEEKLY;COUNT=2", start=start, after=date(2026, 12, 8)) is None
    assert next_day("FREQ=DAILY;UNTIL=20261203", start=start, after=date(2026, 12, 3)) is None
    never = check_rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    assert next_day(never, start=start, after=start) is None


# --- the service ---------------------------------------------------------------------------
pytestmark = pytest.mark.django_db


@pytest.fixture
def weekly(team, member, member2):
    tag = TagFactory(name="ops")
    return task_create(
        actor=member,
        team=team,
        title="Check backups",
        description="Restore one file.",
        priority="high",
        due_date=date(2026, 12, 7),  # a Monday
        assignees=[member, member2],
        tags=[tag],
        repeat=WEEKLY_MO_TH,
    )


def nexts(task):
    return list(Task.objects.filter(repeat_previous=task))


def test_done_creates_the_next_occurrence_once(member, weekly):
    task_update(actor=member, task=weekly, status=Status.DONE)
    (following,) = nexts(weekly)
    assert following.title == "Check backups" and following.description == "Restore one file."
    assert following.priority == "high" and following.status == Status.TODO
    assert following.due_day == date(2026, 12, 10)  # the Thursday
    assert {u.username for u in following.assignees.all()} == {"member", "member2"}
    assert [t.name for t in following.tags.all()] == ["ops"]
    assert (following.repeat_rule, following.repeat_number) == (WEEKLY_MO_TH.rule, 2)
    assert following.history.count() == 1
    # Done again, reopened and done, or saved as done: still one next occurrence.
    task_update(actor=member, task=Task.objects.get(pk=weekly.pk), status=Status.DONE)
    task_update(actor=member, task=Task.objects.get(pk=weekly.pk), status=Status.TODO)
    task_update(actor=member, task=Task.objects.get(pk=weekly.pk), status=Status.DONE)
    assert len(nexts(weekly)) == 1
    # The next one's own "done" goes on from its day.
    task_update(actor=member, task=following, status=Status.DONE)
    assert nexts(following)[0].due_day == date(2026, 12, 14)


def test_timed_dues_keep_their_time_in_the_teams_zone(team, member):
    team.time_zone = "Pacific/Auckland"
    team.save()
    zone = ZoneInfo("Pacific/Auckland")
    # 09:00 on Jan 31 in Auckland is Jan 30 in UTC: the team's day counts.
    due = datetime(2027, 1, 31, 9, 0, tzinfo=zone)
    task = task_create(
        actor=member, team=team, title="Pay rent", due_date=due, repeat=Repeat("FREQ=MONTHLY")
    )
    assert task.repeat_start == date(2027, 1, 31)
    task_update(actor=member, task=task, status=Status.DONE)
    (following,) = nexts(task)
    assert following.due_date.astimezone(zone) == datetime(2027, 2, 28, 9, 0, tzinfo=zone)
    task_update(actor=member, task=following, status=Status.DONE)
    assert nexts(following)[0].due_date.astimezone(zone) == datetime(2027, 3, 31, 9, 0, tzinfo=zone)


def test_counted_from_done_starts_from_the_completion_day(team, member):
    team.time_zone = "America/Los_Angeles"
    team.save()
    task = task_create(
        actor=member,
        team=team,
        title="Water plants",
        due_date=date(2026, 11, 1),
        repeat=Repeat("FREQ=DAILY;INTERVAL=3", FROM_DONE),
    )
    task_update(actor=member, task=task, status=Status.DONE)
    today_there = timezone.now().astimezone(ZoneInfo("America/Los_Angeles")).date()
    assert nexts(task)[0].due_day == today_there + timedelta(days=3)


def test_a_count_ends_the_series(member, team):
    task = task_create(
        actor=member,
        team=team,
        title="Twice",
        due_date=date(2026, 12, 1),
        repeat=Repeat("FREQ=WEEKLY;COUNT=2"),
    )
    task_update(actor=member, task=task, status=Status.DONE)
    (second,) = nexts(task)
    task_update(actor=member, task=second, status=Status.DONE)
    assert nexts(second) == []


def test_stop_repeating_and_the_rules_of_setting_one(member, team, weekly):
    task_update(actor=member, task=weekly, repeat=None)
    weekly.refresh_from_db()
    assert weekly.repeat_rule == ""
    task_update(actor=member, task=weekly, status=Status.DONE)
    assert nexts(weekly) == []
    with pytest.raises(ValidationError) as exc:
        task_create(actor=member, team=team, title="No due", repeat=WEEKLY_MO_TH)
    assert exc.value.message_dict == {"repeat": [RULE_NEEDS_DUE]}
    repeating = task_create(
        actor=member, team=team, title="R", due_date=date(2026, 12, 1), repeat=WEEKLY_MO_TH
    )
    with pytest.raises(ValidationError) as exc:
        task_update(actor=member, task=repeating, due_date=None)
    assert exc.value.message_dict == {"due_date": [RULE_NEEDS_DUE]}
    with pytest.raises(ValidationError) as exc:
        task_update(
            actor=member,
            task=repeating,
            repeat=Repeat(check_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")),
        )
    assert exc.value.message_dict == {"repeat": [RULE_NEVER]}


# --- doors -------------------------------------------------------------------------------------
@pytest.fixture
def client_for():
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make


def test_the_api_reads_and_writes_repeat(client_for, team, member):
    api = client_for(member)
    created = api.post(
        "/api/tasks/",
        {
            "team": team.pk,
            "title": "Standup notes",
            "due_date": "2026-12-07",
            "repeat": {"freq": "weekly", "interval": 1, "days": ["mo", "th"], "from": "due"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["repeat"] == {"rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "from": "due"}
    url = f"/api/tasks/{created.json()['id']}/"
    assert api.get(url).json()["repeat"]["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TH"
    listed = api.get("/api/tasks/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["repeat"] == {"rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "from": "due"}
    bad = api.patch(url, {"repeat": {"rrule": "FREQ=MINUTELY"}}, format="json")
    assert bad.status_code == 400 and RULE_FREQ in str(bad.json())
    done = api.patch(url, {"status": "done"}, format="json")
    assert done.status_code == 200
    assert Task.objects.filter(repeat_previous_id=created.json()["id"]).count() == 1
    stopped = api.patch(url, {"repeat": None}, format="json")
    assert stopped.status_code == 200 and stopped.json()["repeat"] is None
    undated = api.post(
        "/api/tasks/",
        {"team": team.pk, "title": "No due", "repeat": {"freq": "daily"}},
        format="json",
    )
    assert undated.status_code == 400 and undated.json() == {"repeat": [RULE_NEEDS_DUE]}
    weird = api.patch(url, {"repeat": "weekly"}, format="json")
    assert weird.status_code == 400 and "repeat" in weird.json()


def test_the_task_page_sets_and_stops_a_repeat(client, team, member, weekly):
    client.force_login(member)
    page = client.get(f"/teams/operations/tasks/{weekly.number}/").content.decode()
    assert "FREQ=WEEKLY;BYDAY=MO,TH" in page and 'id="repeat-stop"' in page
    assert 'list="repeat-suggestions"' in page and '<option value="FREQ=YEARLY">' in page
    response = client.post(f"/teams/operations/tasks/{weekly.number}/repeat/stop/")
    assert response.status_code == 302
    weekly.refresh_from_db()
    assert weekly.repeat_rule == ""

    from portal.pages.forms import TaskForm

    shown = TaskForm.initial_for(weekly)
    data = {k: v for k, v in shown.items() if v not in (None, [])}
    data.update({f"initial-{k}": v for k, v in data.items()})
    data["repeat"] = "FREQ=MONTHLY;X-FROM=DONE"
    data["initial-repeat"] = ""
    response = client.post(f"/teams/operations/tasks/{weekly.number}/edit/", data)
    assert response.status_code == 302
    weekly.refresh_from_db()
    assert (weekly.repeat_rule, weekly.repeat_from) == ("FREQ=MONTHLY", FROM_DONE)
    data["repeat"] = "FREQ=SECONDLY"
    data["initial-repeat"] = "FREQ=MONTHLY;X-FROM=DONE"
    response = client.post(f"/teams/operations/tasks/{weekly.number}/edit/", data)
    assert RULE_FREQ in response.content.decode()


def test_history_shows_repeat_changes(client, member, weekly):
    task_update(actor=member, task=weekly, repeat=Repeat("FREQ=DAILY", FROM_DONE))
    client.force_login(member)
    rows = client.get(f"/teams/operations/tasks/{weekly.number}/").context["history"]
    changed = {(r["field"], r["old"], r["new"]) for r in rows[0]["rows"]}
    assert changed == {
        ("repeats", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY"),
        ("repeats counted", "from the due day", "from the day it is done"),
    }


def test_the_admin_form_sets_a_repeat(client, member, team, weekly):
    from tests.tasks.test_admin import change_url, form_data

    client.force_login(member)
    data = form_data(weekly, repeat="FREQ=DAILY;INTERVAL=2")
    data["due_date_0"] = "2026-12-07"
    response = client.post(change_url(weekly), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    weekly.refresh_from_db()
    assert weekly.repeat_rule == "FREQ=DAILY;INTERVAL=2"
    page = client.get(change_url(weekly)).content.decode()
    assert 'value="FREQ=DAILY;INTERVAL=2"' in page


def test_sheets_round_trip_the_repeat_column(member, team, weekly):
    from portal.tasks.resources import TaskResource
    from portal.tasks.selectors import task_list
    from tests.sheets import make_csv

    exported = TaskResource().export(queryset=task_list(fetched_by=member, filters={}))
    assert exported["repeat"][0] == "FREQ=WEEKLY;BYDAY=MO,TH"
    from portal.spreadsheets.services import sheet_import

    data = make_csv([["key", "repeat", "status"], [weekly.key, "FREQ=YEARLY;X-FROM=DONE", "done"]])
    result = sheet_import(user=member, sheet="tasks", data=data, fmt="csv", dry_run=False).result
    assert not result.has_errors() and not result.problems, result.problems
    weekly.refresh_from_db()
    assert (weekly.repeat_rule, weekly.repeat_from) == ("FREQ=YEARLY", FROM_DONE)
    assert len(nexts(weekly)) == 1  # done through the sheet: the next occurrence too
    bad = make_csv([["key", "repeat"], [weekly.key, "FREQ=HOURLY"]])
    result = sheet_import(user=member, sheet="tasks", data=bad, fmt="csv", dry_run=True).result
    assert [(p.cell, p.message) for p in result.problems] == [("B2", RULE_FREQ)]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every write, so there is no race to test",
)
@pytest.mark.django_db(transaction=True)
def test_two_doors_marking_done_at_once_create_one_next(team, member, lead):
    from tests.hostile.racing import race

    for n in range(4):
        task = task_create(
            actor=member,
            team=team,
            title=f"Race {n}",
            due_date=date(2026, 12, 7),
            repeat=WEEKLY_MO_TH,
        )

        def done(actor, pk=task.pk):
            return task_update(actor=actor, task=Task.objects.get(pk=pk), status=Status.DONE)

        results = race([lambda: done(member), lambda: done(lead), lambda: done(member)])
        assert all(isinstance(r, Task) for r in results), results
        assert Task.objects.filter(repeat_previous=task).count() == 1, n
