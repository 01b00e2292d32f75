"""The calendars' queries do not grow with the tasks: a team's calendar and My calendar, a
month and a week, with 10 and with 10,000 tasks due in them (the page shows at most
CALENDAR_MAX and says so)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from portal.tasks.models import Task
from portal.tasks.selectors import CALENDAR_MAX
from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory
from tests.pages.conftest import count_queries

pytestmark = pytest.mark.django_db

PAGES = {
    "team month": "/teams/operations/calendar/?month=2026-12",
    "team week": "/teams/operations/calendar/?view=week&week=2026-W49",
    "my month": "/tasks/calendar/?month=2026-12",
    "my week": "/tasks/calendar/?view=week&week=2026-W49",
    # Filters are the list's: they change what is read, not how many times.
    "team month, filtered": "/teams/operations/calendar/?month=2026-12&status=todo,blocked"
    "&priority=urgent,high,medium,low&assignee=me",
}


def fill(team, creator, count: int, assignees, tags) -> None:
    """`count` tasks due over the first four weeks of December 2026 (some at a time of day,
    some on a day), assigned and tagged, in bulk."""
    start = Task.objects.filter(team=team).count()
    noon = timezone.make_aware(datetime(2026, 12, 1, 12))
    rows = Task.objects.bulk_create(
        [
            Task(
                team=team,
                number=start + i + 1,
                title=f"Due {i}",
                created_by=creator,
                priority=("low", "medium", "high", "urgent")[i % 4],
                status=("todo", "blocked")[i % 2],
                due_date=noon + timedelta(days=i % 28, hours=i % 5),
                due_day=(noon + timedelta(days=i % 28)).date() if i % 3 == 0 else None,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    Task.assignees.through.objects.bulk_create(
        [Task.assignees.through(task_id=t.pk, user_id=u.pk) for t in rows for u in assignees],
        batch_size=4000,
    )
    Task.tags.through.objects.bulk_create(
        [Task.tags.through(task_id=t.pk, tag_id=tag.pk) for t in rows for tag in tags],
        batch_size=4000,
    )
    team.last_task_number = start + count
    team.save(update_fields=["last_task_number"])


def shown(response) -> int:
    return sum(len(day.tasks) for week in response.context["weeks"] for day in week)


def test_calendar_queries_are_equal_with_10_and_10000_tasks(
    client, team, other_team, member, member2, django_assert_max_num_queries
):
    # member works in two teams, so My calendar reads across teams.
    MembershipFactory(user=member, team=other_team, role=Role.MEMBER)
    tags = [TagFactory(), TagFactory()]
    client.force_login(member)
    fill(team, member, 5, [member, member2], tags)
    fill(other_team, member, 5, [member], tags)
    small = {}
    for name, url in PAGES.items():
        small[name], response = count_queries(client, url, django_assert_max_num_queries)
        assert 0 < shown(response) <= 10, name
        assert response.context["too_many"] == "", name
    fill(team, member, 5_000, [member, member2], tags)
    fill(other_team, member, 5_000, [member], tags)
    assert Task.objects.count() == 10_010
    large = {}
    for name, url in PAGES.items():
        large[name], response = count_queries(client, url, django_assert_max_num_queries)
        if "filtered" not in name:
            # More than fit: the first CALENDAR_MAX are shown, and the page says so.
            assert shown(response) <= CALENDAR_MAX, name
            assert response.context["too_many"], name
    assert large == small
