"""Reads about jobs and summaries."""

from django.db.models import QuerySet

from portal.jobs.models import DailySummary, Job
from portal.teams.permissions import is_superuser, team_ids_for


def jobs_visible_to(user) -> QuerySet[Job]:
    """Job records: administrators see all; others see the jobs they started."""
    qs = Job.objects.select_related("requester")
    if is_superuser(user):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(requester=user)


def summaries_visible_to(user) -> QuerySet[DailySummary]:
    """Daily summaries of the user's teams (all for superusers)."""
    qs = DailySummary.objects.select_related("team")
    if is_superuser(user):
        return qs
    return qs.filter(team_id__in=team_ids_for(user))
