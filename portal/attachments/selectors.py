"""The attachments a person may see: those of the tasks they may see (`tasks_visible_to`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from portal.attachments.models import Attachment, ScanState, TeamAttachmentSettings
from portal.attachments.sniff import THUMBNAIL_TYPES
from portal.tasks.models import Task
from portal.tasks.selectors import tasks_visible_to
from portal.teams.models import Team


def attachments_visible_to(*, fetched_by) -> QuerySet[Attachment]:
    visible = tasks_visible_to(fetched_by=fetched_by).values("pk")
    return Attachment.objects.select_related("task", "task__team", "uploaded_by").filter(
        task__in=visible
    )


def task_attachments(*, fetched_by, task: Task) -> QuerySet[Attachment]:
    """A task's attachments (its comments' included), oldest first."""
    return (
        attachments_visible_to(fetched_by=fetched_by).filter(task=task).order_by("created_at", "id")
    )


def attachment_for(*, fetched_by, pk: int) -> Attachment | None:
    return attachments_visible_to(fetched_by=fetched_by).filter(pk=pk).first()


def team_shows_card_images(team: Team | int) -> bool:
    team_id = team if isinstance(team, int) else team.pk
    return TeamAttachmentSettings.objects.filter(team_id=team_id, card_images=True).exists()


def card_images(*, fetched_by, team: Team, task_ids: Iterable[int]) -> dict[int, Attachment]:
    """The first clean image with a thumbnail of each task, for board cards; {} unless the team
    chose to show them (two queries for a whole column)."""
    task_ids = list(task_ids)
    if not task_ids or not team_shows_card_images(team):
        return {}
    rows = (
        attachments_visible_to(fetched_by=fetched_by)
        .filter(
            task_id__in=task_ids,
            content_type__in=THUMBNAIL_TYPES,
            scan_state=ScanState.CLEAN,
        )
        .exclude(thumbnail_name="")
        .order_by("task_id", "created_at", "id")
        .select_related(None)
        .only("id", "task_id", "name", "thumbnail_name", "content_type")
    )
    first: dict[int, Attachment] = {}
    for row in rows:
        first.setdefault(row.task_id, row)
    return first
