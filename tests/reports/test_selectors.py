"""A team's report over a date range: weekly flow, cycle-time percentiles, trend, workload,
distributions. The same numbers on PostgreSQL (percentile_cont) and SQLite (the fallback)."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from portal.reports import selectors as rep
from portal.tasks.models import Task
from portal.tasks.services import task_create

pytestmark = pytest.mark.django_db
SPAN = rep.ReportRange(first=date(2026, 3, 2), last=date(2026, 3, 15))
WEEK1, WEEK2 = date(2026, 3, 2), date(2026, 3, 9)


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour))


@pytest.fixture
def history(team, other_team, member, member2, outsider):
    def task(title, created, *, done=None, due=None, archived=None, assignees=()):
        row = task_create(actor=member, team=team, title=title, assignees=list(assignees))
        Task.objects.filter(pk=row.pk).update(
            created_at=created,
            status="done" if done else "todo",
            completed_at=done,
            due_date=due,
            is_archived=archived is not None,
            archived_at=archived,
        )
        return row

    task("A", at(2), done=at(3), assignees=[member])
    task("B", at(2), done=at(5), assignees=[member])
    task("C", at(3), done=at(10))
    task("D", at(9), due=at(10), assignees=[member2])
    task("E", at(20, month=2))
    task("F", at(25, month=2), archived=at(4))
    foreign = task_create(actor=outsider, team=other_team, title="Secret")
    Task.objects.filter(pk=foreign.pk).update(created_at=at(3))


def test_the_range_knows_its_weeks_and_moments():
    assert SPAN.weeks == [WEEK1, WEEK2]
    assert SPAN.start == timezone.make_aware(datetime(2026, 3, 2))
    assert SPAN.end == timezone.make_aware(datetime(2026, 3, 16))
    partial = rep.ReportRange(first=date(2026, 3, 4), last=date(2026, 3, 10))
    assert partial.weeks == [WEEK1, WEEK2]
    assert partial.week_end(WEEK2) == partial.end


def test_created_and_done_per_week(history, member, team):
    assert rep.created_and_done_per_week(fetched_by=member, team=team, span=SPAN) == [
        {"week": WEEK1, "created": 3, "done": 2},
        {"week": WEEK2, "created": 1, "done": 1},
    ]


def test_cycle_time_percentiles_per_week(history, member, team):
    rows = rep.cycle_time_per_week(fetched_by=member, team=team, span=SPAN)
    assert [r["week"] for r in rows] == [WEEK1, WEEK2]
    assert rows[0]["n"] == 2
    assert rows[0]["median"] == pytest.approx(2.0)
    assert rows[0]["p85"] == pytest.approx(2.7)  # 1 day and 3 days, interpolated
    assert (rows[1]["n"], rows[1]["median"], rows[1]["p85"]) == (
        1,
        pytest.approx(7),
        pytest.approx(7),
    )


def test_weeks_without_done_tasks_have_no_percentiles(member, team):
    rows = rep.cycle_time_per_week(fetched_by=member, team=team, span=SPAN)
    assert rows == [
        {"week": WEEK1, "n": 0, "median": None, "p85": None},
        {"week": WEEK2, "n": 0, "median": None, "p85": None},
    ]


def test_percentile_cont_matches_postgresql():
    assert rep.percentile_cont([4.0], 0.85) == 4.0
    assert rep.percentile_cont([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert rep.percentile_cont([10.0, 1.0, 3.0], 0.85) == pytest.approx(7.9)


def test_open_and_overdue_at_the_end_of_each_week(history, member, team):
    trend = rep.open_and_overdue_trend(fetched_by=member, team=team, span=SPAN)
    assert [(r["week"], r["open"], r["overdue"]) for r in trend] == [
        (WEEK1, 2, 0),  # E and C (C finished on the 10th); F was archived, D not yet created
        (WEEK2, 2, 1),  # E and D, D due on the 10th
    ]


def test_workload_by_assignee(history, member, member2, team):
    rows = rep.workload(fetched_by=member, team=team, span=SPAN)
    assert [(r["name"], r["open"], r["overdue"], r["done"]) for r in rows] == [
        ("member2", 1, 1, 0),
        ("Unassigned", 1, 0, 1),
        ("member", 0, 0, 2),
    ]


def test_distributions_of_the_tasks_created_in_the_range(history, member, team):
    status = {
        r["value"]: r["count"]
        for r in rep.status_distribution(fetched_by=member, team=team, span=SPAN)
    }
    assert status == {"todo": 1, "in_progress": 0, "blocked": 0, "done": 3}
    priority = {
        r["value"]: r["count"]
        for r in rep.priority_distribution(fetched_by=member, team=team, span=SPAN)
    }
    assert priority == {"low": 0, "medium": 4, "high": 0, "urgent": 0}


def test_outsiders_get_zeros(history, outsider, team):
    assert (
        rep.created_and_done_per_week(fetched_by=outsider, team=team, span=SPAN)[0]["created"] == 0
    )
    assert rep.workload(fetched_by=outsider, team=team, span=SPAN) == []


def test_report_queries_do_not_grow(history, member, team, django_assert_max_num_queries):
    from tests.pages.conftest import make_tasks

    def run():
        with django_assert_max_num_queries(10) as captured:
            rep.created_and_done_per_week(fetched_by=member, team=team, span=SPAN)
            rep.cycle_time_per_week(fetched_by=member, team=team, span=SPAN)
            rep.open_and_overdue_trend(fetched_by=member, team=team, span=SPAN)
            rep.workload(fetched_by=member, team=team, span=SPAN)
            rep.status_distribution(fetched_by=member, team=team, span=SPAN)
            rep.priority_distribution(fetched_by=member, team=team, span=SPAN)
        return len(captured)

    small = run()
    rows = make_tasks(team, member, 3_000, assignees=[member])
    Task.objects.filter(pk__in=[t.pk for t in rows]).update(created_at=at(4))
    assert run() == small
