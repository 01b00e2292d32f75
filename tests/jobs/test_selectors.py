"""Who sees which job records and summaries; what the jobs read."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from portal.jobs.models import DailySummary, Job, OverdueReminder
from portal.jobs.selectors import (
    jobs_visible_to,
    overdue_reminder_candidates,
    summaries_emailed_to,
    summaries_visible_to,
    summary_recipients,
    summary_recipients_by_team,
    summary_teams,
    team_summary,
)
from portal.tasks import services as ts
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_jobs_visible_to(superuser, member, lead):
    mine = Job.objects.create(kind="probe", requester=member)
    Job.objects.create(kind="probe", requester=lead)
    Job.objects.create(kind="probe")
    assert jobs_visible_to(fetched_by=superuser).count() == 3
    assert list(jobs_visible_to(fetched_by=member)) == [mine]
    assert not jobs_visible_to(fetched_by=AnonymousUser()).exists()


def test_summaries_visible_to(superuser, team, other_team, viewer, outsider):
    ops = DailySummary.objects.create(team=team, date="2026-11-26", body="#", path="a")
    des = DailySummary.objects.create(team=other_team, date="2026-11-26", body="#", path="b")
    assert set(summaries_visible_to(fetched_by=superuser)) == {ops, des}
    assert list(summaries_visible_to(fetched_by=viewer)) == [ops]
    assert list(summaries_visible_to(fetched_by=outsider)) == [des]
    assert not summaries_visible_to(fetched_by=AnonymousUser()).exists()


def test_summary_teams_all_or_one(team, other_team):
    assert list(summary_teams()) == [other_team, team]  # by name: Design, Operations
    assert list(summary_teams(slug="operations")) == [team]


def test_summary_recipients_are_opted_in_active_members_with_an_address(
    team, other_team, lead, member, member2, outsider
):
    member.receive_daily_summary = True
    member.save()
    member2.receive_daily_summary = True
    member2.email = ""
    member2.save()
    outsider.receive_daily_summary = True
    outsider.save()
    gone = MembershipFactory(team=team, user=UserFactory(is_active=False)).user
    gone.receive_daily_summary = True
    gone.save()
    assert list(summary_recipients(team_id=team.pk)) == [member]
    assert list(summary_recipients(team_id=other_team.pk)) == [outsider]
    # Someone in both teams is listed under each; a team nobody reads gets an empty list.
    MembershipFactory(team=other_team, user=member)
    lonely = TeamFactory()
    assert summary_recipients_by_team(team_ids=[team.pk, other_team.pk, lonely.pk]) == {
        team.pk: [member],
        other_team.pk: [member, outsider],
        lonely.pk: [],
    }


def test_team_summary_query_count_does_not_grow_with_tasks(
    team, lead, member, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            task = ts.task_create(actor=lead, team=team, title=f"t{i}", due_date=timezone.now())
            ts.task_assign(actor=lead, task=task, assignees=[lead, member])

    add(2)
    with django_assert_max_num_queries(20) as few:
        team_summary(team=team, day=timezone.localdate())
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        summary = team_summary(team=team, day=timezone.localdate())
    assert summary.sections[0].total == 22 and summary.open_total == 22


def test_overdue_reminder_candidates(team, lead, member, settings):
    settings.OVERDUE_REMINDER_LOOKBACK_DAYS = 7
    now = timezone.now()

    def late(title, assignees, due=now - timedelta(hours=1)):
        task = ts.task_create(actor=lead, team=team, title=title, due_date=due)
        return ts.task_assign(actor=lead, task=task, assignees=assignees) if assignees else task

    reminded = late("reminded", [member])
    OverdueReminder.objects.create(task=reminded, due_date=reminded.due_date)
    late("nobody", [])
    late("too old", [member], due=now - timedelta(days=8))
    inactive_only = late("inactive assignee", [member])
    both = late("both", [lead, member])
    member.is_active = False
    member.save()
    found = list(overdue_reminder_candidates(now=now))
    assert found == [inactive_only, both]
    assert [u.username for u in found[0].recipients] == []
    assert [u.username for u in found[1].recipients] == ["lead"]


def test_summaries_emailed_to_counts_sent_summaries_of_the_day_and_teams(team, other_team):
    sent = {"emailed_at": timezone.now()}
    DailySummary.objects.create(team=team, date="2026-11-26", path="a", emailed_to=2, **sent)
    DailySummary.objects.create(team=other_team, date="2026-11-26", path="b", emailed_to=3, **sent)
    DailySummary.objects.create(team=team, date="2026-11-25", path="c", emailed_to=5, **sent)
    assert summaries_emailed_to(day="2026-11-26", team_ids=[team.pk, other_team.pk]) == 5
    assert summaries_emailed_to(day="2026-11-26", team_ids=[team.pk]) == 2
    assert summaries_emailed_to(day="2026-11-27", team_ids=[team.pk]) == 0
