"""Who sees which job records and summaries."""

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.jobs.models import DailySummary, Job
from portal.jobs.selectors import jobs_visible_to, summaries_visible_to

pytestmark = pytest.mark.django_db


def test_jobs_visible_to(superuser, member, lead):
    mine = Job.objects.create(kind="probe", requester=member)
    Job.objects.create(kind="probe", requester=lead)
    Job.objects.create(kind="probe")
    assert jobs_visible_to(superuser).count() == 3
    assert list(jobs_visible_to(member)) == [mine]
    assert not jobs_visible_to(AnonymousUser()).exists()


def test_summaries_visible_to(superuser, team, other_team, viewer, outsider):
    ops = DailySummary.objects.create(team=team, date="2026-11-26", body="#", path="a")
    des = DailySummary.objects.create(team=other_team, date="2026-11-26", body="#", path="b")
    assert set(summaries_visible_to(superuser)) == {ops, des}
    assert list(summaries_visible_to(viewer)) == [ops]
    assert list(summaries_visible_to(outsider)) == [des]
    assert not summaries_visible_to(AnonymousUser()).exists()
