"""The calendars: tasks by due day in a month or a week, the lists' filters, moving a due day."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from portal.pages.views.calendar import (
    DUE_DAY_INVALID,
    MONTH_INVALID,
    VIEW_INVALID,
    WEEK_INVALID,
    parse_month,
    parse_week,
)
from portal.pages.views.tasks import FILTER_ERROR
from portal.tasks.filter_fields import CHOICES_INVALID
from portal.tasks.models import Task
from portal.tasks.services import task_create
from tests.pages.conftest import count_queries
from tests.savedviews.making import menu_views

pytestmark = pytest.mark.django_db
CAL = "/teams/operations/calendar/"
MINE = "/tasks/calendar/"


def shown(response) -> dict[date, list[str]]:
    return {
        day.date: [t.title for t in day.tasks]
        for week in response.context["weeks"]
        for day in week
        if day.tasks
    }


@pytest.fixture
def december(team, member, member2):
    team.time_zone = "America/New_York"
    team.save()
    make = lambda title, **f: task_create(actor=member, team=team, title=title, **f)  # noqa: E731
    return {
        "day": make("Plain day", due_date=date(2026, 12, 24), priority="urgent"),
        # 03:00 UTC on Dec 10 is still Dec 9 in New York: the team's day counts.
        "late": make("Late evening", due_date=datetime(2026, 12, 10, 3, 0, tzinfo=ZoneInfo("UTC"))),
        "mine": make("Mine", due_date=date(2026, 12, 1), assignees=[member]),
        "next": make("Next month", due_date=date(2027, 1, 5)),
        "blocked": make("Blocked one", due_date=date(2026, 12, 2), status="blocked"),
        "none": make("No due"),
    }


def test_month_view_groups_tasks_by_the_teams_due_day(client, member, december):
    client.force_login(member)
    response = client.get(f"{CAL}?month=2026-12")
    assert response.status_code == 200
    days = shown(response)
    assert days[date(2026, 12, 24)] == ["Plain day"]
    assert days[date(2026, 12, 9)] == ["Late evening"]
    assert date(2026, 12, 10) not in days
    # The grid is whole weeks: Monday Nov 30 to Sunday Jan 3; Jan 5 is not in it.
    weeks = response.context["weeks"]
    assert weeks[0][0].date == date(2026, 11, 30) and weeks[-1][-1].date == date(2027, 1, 3)
    assert "Next month" not in response.content.decode()
    html = response.content.decode()
    assert 'href="/teams/operations/tasks/1/"' in html and "cal-prio-urgent" in html
    assert "December 2026" in html and 'href="?month=2026-11"' in html


def test_week_view_and_its_navigation(client, member, december):
    client.force_login(member)
    response = client.get(f"{CAL}?view=week&week=2026-W52")
    assert response.status_code == 200
    assert [d.date for d in response.context["weeks"][0]] == [
        date(2026, 12, 21) + timedelta(days=i) for i in range(7)
    ]
    assert shown(response) == {date(2026, 12, 24): ["Plain day"]}
    html = response.content.decode()
    assert 'href="?view=week&amp;week=2026-W53"' in html
    assert 'href="?view=week&amp;week=2026-W51"' in html
    # The week view of a month starts with the month's first week.
    response = client.get(f"{CAL}?view=week&month=2026-12")
    assert response.context["weeks"][0][0].date == date(2026, 11, 30)


def test_the_lists_filters_apply(client, member, december):
    client.force_login(member)
    response = client.get(f"{CAL}?month=2026-12&status=blocked")
    assert shown(response) == {date(2026, 12, 2): ["Blocked one"]}
    assert 'name="month" value="2026-12"' in response.content.decode()
    response = client.get(f"{CAL}?month=2026-12&status=nope")
    expected = FILTER_ERROR.format(
        name="status",
        message=CHOICES_INVALID.format(value="nope", choices="todo, in_progress, blocked, done"),
    )
    assert response.status_code == 200 and response.context["errors"] == [expected]


def test_my_calendar_shows_my_tasks_across_teams(client, member, december):
    client.force_login(member)
    response = client.get(f"{MINE}?month=2026-12")
    assert response.status_code == 200
    assert shown(response) == {date(2026, 12, 1): ["Mine"]}
    everyone = shown(client.get(f"{MINE}?month=2026-12&assignee=anyone"))
    assert date(2026, 12, 24) in everyone


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("view=year", VIEW_INVALID),
        ("month=2026-13", MONTH_INVALID),
        ("month=26-1", MONTH_INVALID),
        ("month=9999-12", MONTH_INVALID),
        ("view=week&week=2026-W60", WEEK_INVALID),
        ("view=week&week=2026W1", WEEK_INVALID),
    ],
)
def test_bad_periods_get_400_with_the_reason(client, member, team, query, message):
    client.force_login(member)
    response = client.get(f"{CAL}?{query}")
    assert response.status_code == 400 and response.content.decode() == message


def test_parsers():
    assert parse_month("2026-02") == date(2026, 2, 1)
    assert parse_week("2026-W49") == date(2026, 11, 30)
    assert parse_week("2020-W53") == date(2020, 12, 28) and parse_week("2027-W53") is None


def test_outsiders_get_404(client, outsider, december):
    client.force_login(outsider)
    assert client.get(CAL).status_code == 404
    assert shown(client.get(f"{MINE}?month=2026-12&assignee=anyone")) == {}


def test_calendar_queries_do_not_grow_with_tasks(
    client, team, lead, member, django_assert_max_num_queries
):
    views = menu_views(team, member, lead, "calendar")

    def fill(count):
        start = Task.objects.filter(team=team).count()
        due = timezone.make_aware(datetime(2026, 12, 1, 12))
        Task.objects.bulk_create(
            Task(
                team=team,
                number=start + i + 1,
                title=f"T{i}",
                created_by=member,
                due_date=due + timedelta(days=i % 28),
            )
            for i in range(count)
        )
        team.last_task_number = start + count
        team.save()

    client.force_login(member)
    fill(10)
    small, response = count_queries(client, f"{CAL}?month=2026-12", django_assert_max_num_queries)
    assert sum(len(t) for t in shown(response).values()) == 10
    assert [row["view"] for row in response.context["saved_views"]["shared"]] == views[1:]
    fill(490)
    large, response = count_queries(client, f"{CAL}?month=2026-12", django_assert_max_num_queries)
    assert sum(len(t) for t in shown(response).values()) == 500
    assert small == large


def test_members_move_a_task_to_another_day(client, member, team, december):
    client.force_login(member)
    task = december["day"]
    response = client.post(
        f"/teams/operations/tasks/{task.number}/due/",
        {"due": "2026-12-28", "next": f"{CAL}?month=2026-12"},
    )
    assert response.status_code == 302 and response["Location"] == f"{CAL}?month=2026-12"
    task.refresh_from_db()
    assert task.due_day == date(2026, 12, 28)
    # A task due at a time keeps its time of day (in the team's zone) on the new day.
    late = december["late"]
    client.post(f"/teams/operations/tasks/{late.number}/due/", {"due": "2026-12-15"})
    late.refresh_from_db()
    zone = ZoneInfo("America/New_York")
    assert late.due_day is None
    assert late.due_date.astimezone(zone) == datetime.combine(
        date(2026, 12, 15), time(22, 0), tzinfo=zone
    )
    assert task.history.count() == 2  # created, moved


def test_moving_needs_a_day_and_the_right_to_edit(client, member, viewer, december):
    task = december["day"]
    url = f"/teams/operations/tasks/{task.number}/due/"
    client.force_login(member)
    response = client.post(url, {"due": "24.12.2026"})
    assert response.status_code == 400 and response.content.decode() == DUE_DAY_INVALID
    response = client.post(url, {"due": "1800-01-01"})
    assert response.status_code == 400 and b"was not moved" in response.content
    client.force_login(viewer)
    assert client.post(url, {"due": "2026-12-25"}).status_code == 403
    html = client.get(f"{CAL}?month=2026-12").content.decode()
    assert "Move OPS-1 to" not in html
    client.force_login(member)
    assert "Move OPS-1 to" in client.get(f"{CAL}?month=2026-12").content.decode()


def test_tabs_and_my_work_link_the_calendars(client, member, team):
    client.force_login(member)
    assert f'href="{CAL}"' in client.get("/teams/operations/tasks/").content.decode()
    assert f'href="{MINE}?' in client.get("/tasks/").content.decode()
