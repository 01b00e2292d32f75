"""Emailing notifications: at once, or in a daily digest grouped by task.

Sending is decided in one transaction: the rows to send are locked (SKIP LOCKED on PostgreSQL)
and their `emailed_at` set, and that commits *before* anything is sent. So a worker that dies
after the commit never sends those emails twice: it sends them never (they stay in the inbox).
What can repeat: a message the mail server accepted while the connection failed before it said
so is put back and sent again on the next run, as any failed send is (docs/events.md).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.core.links import absolute_url
from portal.notifications.kinds import Delivery
from portal.notifications.models import Notification
from portal.notifications.services import unsubscribe_token
from portal.tasks.permissions import task_viewers

logger = logging.getLogger(__name__)

EMAIL_BATCH = 200
SUBJECT = "[{site}] {key} {title}: {what}"
DIGEST_SUBJECT = "[{site}] Your daily digest: {count} update(s) on {tasks} task(s)"
# Several "at once" notifications for one person in one run (a bulk edit, an import) become one
# email listing them, never one email each.
GROUPED_SUBJECT = "[{site}] {count} updates on {tasks} task(s)"
# Tasks listed in one email; the rest are named by number, with the inbox's address.
EMAIL_TASKS_LISTED = 50


@dataclass
class Sent:
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def absolute(path: str) -> str:
    return absolute_url(path)


def task_link(notification: Notification) -> str:
    """The task page (at the comment when there is one), or "" for a deleted task."""
    task = notification.task
    if task is None:
        return ""
    path = reverse("pages:task", args=[task.team.slug, task.number])
    return path + (f"#comment-{notification.comment_id}" if notification.comment_id else "")


def _line(n: Notification) -> str:
    who = f" by {n.actor.get_username()}" if n.actor_id and n.actor else ""
    return f"- {n.get_kind_display()}{who}"


def _claim(delivery: str) -> list[Notification]:
    """Lock and mark the next rows to send, in one transaction that commits before sending."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(delivery=delivery, emailed_at__isnull=True)
            .select_related("user", "actor", "task__team")
            .order_by("id")[:EMAIL_BATCH]
        )
        if rows:
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                emailed_at=timezone.now()
            )
    return rows


def _sendable(rows: list[Notification]) -> list[Notification]:
    """Rows whose person has an address and still sees the task (people leave teams)."""
    may_see = task_viewers({n.user_id for n in rows}, {n.team_id for n in rows if n.team_id})
    return [
        n
        for n in rows
        if n.user.email and n.user.is_active and n.task_id and (n.user_id, n.team_id) in may_see
    ]


def _message(user, subject: str, lines: list[str], kinds: set[str]) -> EmailMessage:
    token = unsubscribe_token(user.pk, kinds)
    unsubscribe = absolute(reverse("pages:unsubscribe", args=[token]))
    body = "\n".join(
        [
            *lines,
            "",
            "--",
            f"Choose what you are emailed about: {absolute(reverse('pages:preferences'))}",
            f"Stop these emails: {unsubscribe}",
        ]
    )
    return EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        headers={
            # RFC 8058 one-click unsubscribe: mail programs POST to the address.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _immediate(n: Notification) -> EmailMessage:
    link = task_link(n)
    subject = SUBJECT.format(
        site=settings.SITE_NAME, key=n.task_key, title=n.task_title, what=n.get_kind_display()
    )
    lines = [f"{n.task_key} {n.task_title}", _line(n), "", f"Open it: {absolute(link)}"]
    return _message(n.user, subject[:200], lines, {n.kind})


def _grouped(
    rows: list[Notification], subject_format: str, single=None
) -> list[tuple[list[Notification], EmailMessage]]:
    """One email per person, its notifications grouped by task (at most `EMAIL_TASKS_LISTED`
    tasks listed). A person with one notification gets `single(n)` when given."""
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for n in rows:
        by_person[n.user_id].append(n)
    out = []
    for items in by_person.values():
        if single is not None and len(items) == 1:
            out.append((items, single(items[0])))
            continue
        by_task: dict[int, list[Notification]] = defaultdict(list)
        for n in items:
            by_task[n.task_id].append(n)
        lines = []
        for task_items in list(by_task.values())[:EMAIL_TASKS_LISTED]:
            first = task_items[0]
            lines += [f"{first.task_key} {first.task_title}", *map(_line, task_items)]
            lines += [f"  {absolute(task_link(first))}", ""]
        if len(by_task) > EMAIL_TASKS_LISTED:
            more = len(by_task) - EMAIL_TASKS_LISTED
            lines += [f"... and {more} more task(s): {absolute(reverse('pages:inbox'))}", ""]
        subject = subject_format.format(
            site=settings.SITE_NAME, count=len(items), tasks=len(by_task)
        )
        out.append((items, _message(items[0].user, subject, lines, {n.kind for n in items})))
    return out


def _put_back(rows: list[Notification]) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=None)


def emails_send(*, delivery: str = Delivery.IMMEDIATELY, batches: int = 50) -> Sent:
    """Send what waits for `delivery`: one email per person and run, grouped by task (a person
    with one notification waiting "at once" gets it on its own)."""
    outcome = Sent()
    connection = get_connection()
    claimed: list[Notification] = []
    for _ in range(batches):
        rows = _claim(delivery)
        if not rows:
            break
        sendable = _sendable(rows)
        outcome.skipped += len(rows) - len(sendable)
        claimed += sendable
    if delivery == Delivery.DIGEST:
        messages = _grouped(claimed, DIGEST_SUBJECT)
    else:
        messages = _grouped(claimed, GROUPED_SUBJECT, single=_immediate)
    for items, message in messages:
        try:
            connection.send_messages([message])
        except Exception:  # one address's trouble must not stop the others
            logger.exception("notifications: an email to %s failed", message.to)
            _put_back(items)  # sent again next run
            outcome.failed += 1
        else:
            outcome.sent += 1
    return outcome
