"""Stored files follow their rows: whenever an attachment's row is deleted, its file and
thumbnail are deleted from storage by a job that retries.

Rows go not only through `attachment_delete` but with their task or comment, by every door
that deletes those (the services, the weekly purge of archived tasks, a team's deletion):
Django's collector sends `post_delete` for each attachment on all these paths, so this is the
one place that hears of them all without the tasks app knowing of attachments (see
docs/decisions.md). The job's record is written in the deleting transaction: a rollback keeps
the files, a commit is sure to delete them.
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from portal.attachments.models import Attachment
from portal.attachments.services import stored_files_delete_later


@receiver(post_delete, sender=Attachment, dispatch_uid="portal.attachments.files_follow_rows")
def _files_follow_rows(sender, instance: Attachment, **kwargs) -> None:
    stored_files_delete_later([instance.storage_name, instance.thumbnail_name])
