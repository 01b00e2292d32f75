"""Bulk actions: one service per task, each in its own transaction, refusals collected."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.accounts.models import User
from portal.core.concurrency import RowGone
from portal.tasks.models import Task


@dataclass
class BulkResult:
    """What a bulk action did: tasks changed and tasks refused with the reason."""

    changed: list[Task] = field(default_factory=list)
    refused: list[tuple[Task, str]] = field(default_factory=list)

    def refusals(self, limit: int = 20) -> str:
        """The refused tasks by key with the reason: "OPS-3: ...; OPS-7: ...; and 4 more"."""
        details = "; ".join(f"{task.key}: {reason}" for task, reason in self.refused[:limit])
        more = len(self.refused) - limit
        return details + (f"; and {more} more" if more > 0 else "")


def error_text(exc: Exception) -> str:
    """A one-line reason from a PermissionDenied or ValidationError."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "message_dict"):
            return "; ".join(
                f"{name}: {m}" if name != "__all__" else m
                for name, messages in exc.message_dict.items()
                for m in messages
            )
        return "; ".join(exc.messages)
    return str(exc) or "Not allowed."


def tasks_bulk_apply(
    *, actor: User, tasks: Iterable[Task], operation: Callable[..., Any], **kwargs: Any
) -> BulkResult:
    """Run a task service on each task separately, so rules and history apply per task.

    One refused task does not stop the others; each is its own transaction.
    """
    result = BulkResult()
    for task in tasks:
        try:
            with transaction.atomic():
                operation(actor=actor, task=task, **kwargs)
        except (PermissionDenied, ValidationError, RowGone) as exc:
            result.refused.append((task, error_text(exc)))
        else:
            result.changed.append(task)
    return result
