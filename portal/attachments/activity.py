"""Uploads and deletions in a team's activity feed ("attached report.pdf to OPS-42"), offered to
the tasks app's feed as one more source of records (`register_activity_source`)."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.attachments.models import Attachment
from portal.attachments.names import readable_name
from portal.tasks.selectors.activity import ActivitySource, entry_head, record_tasks
from portal.teams.permissions import is_superuser, team_ids_for

ATTACHMENT_CHANGE = 3


def team_attachment_history(*, fetched_by, team) -> QuerySet:
    """Uploads and deletions of files on the team's tasks, newest first (not scan results)."""
    if not (is_superuser(fetched_by) or team.pk in team_ids_for(fetched_by)):
        return Attachment.history.none()
    return (
        Attachment.history.select_related("history_user")
        .filter(task__team_id=team.pk, history_type__in=["+", "-"])
        .order_by("-history_date", "-history_id")
    )


def attachment_entries(records: list) -> dict[int, dict]:
    tasks = record_tasks(records)
    entries = {}
    for record in records:
        task = tasks.get(record.task_id)
        entries[record.history_id] = {
            **entry_head(record, task, "attachment"),
            "file_name": readable_name(record.name),
        }
    return entries


SOURCE = ActivitySource(
    kind=ATTACHMENT_CHANGE, records=team_attachment_history, entries=attachment_entries
)
