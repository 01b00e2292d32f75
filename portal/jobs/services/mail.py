"""What the jobs send: daily summaries (stored, then emailed) and overdue reminders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.core.zones import zone
from portal.jobs.models import DailySummary, OverdueReminder
from portal.jobs.selectors import summary_recipients, teams_summaries
from portal.jobs.services.records import REMINDER_SUBJECT, SUMMARY_SUBJECT
from portal.jobs.summaries import render_markdown, summary_relpath, write_shared_file
from portal.tasks.due import due_text
from portal.tasks.models import Task
from portal.teams.models import Team


def single_line(text: str) -> str:
    """Collapse line breaks and runs of white space into single spaces.

    Email headers must be one line (Django raises BadHeaderError otherwise); subjects are built
    from task titles and team names, which people may type with line breaks.
    """
    return " ".join(text.split())


def daily_summaries_store(*, teams: list[Team], day: date) -> list[DailySummary]:
    """Collect, render and store the summaries of `teams` for `day`: the files and records.

    Collected in a constant number of queries (`teams_summaries`) and recorded in one upsert,
    so a run costs the same few queries for one team or a hundred. Files and records are
    replaced when the day is summarised again (each file atomically), never duplicated.
    The records returned carry their ids; read `emailed_at` from the database (the emailing
    service locks and re-reads the row anyway).
    """
    records = []
    for summary in teams_summaries(teams=teams, day=day):
        body = render_markdown(summary)
        relpath = summary_relpath(summary.team, day)
        write_shared_file(relpath, body)
        records.append(
            DailySummary(
                team=summary.team, date=day, body=body, counts=summary.counts, path=relpath
            )
        )
    return DailySummary.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["team", "date"],
        update_fields=["body", "counts", "path", "updated_at"],
    )


def daily_summary_store(*, team: Team, day: date) -> DailySummary:
    """Collect, render and store one team's summary of `day` (see `daily_summaries_store`)."""
    return daily_summaries_store(teams=[team], day=day)[0]


@transaction.atomic
def daily_summary_email(*, summary: DailySummary, recipients: list[User] | None = None) -> int:
    """Email the summary to the team's opted-in members once; returns how many were emailed.

    The record is locked while the emails go out, so two runs never both send; once it has
    `emailed_at`, re-runs update the file and the record but not inboxes. If sending fails,
    nothing is marked and the next run tries again. A run over many teams passes each team's
    `recipients` (from `summary_recipients_by_team`, one query for all teams).
    """
    # Only the summary row is locked (not its team: task numbering locks teams).
    locked = DailySummary.objects.select_for_update().get(pk=summary.pk)
    if locked.emailed_at:
        return 0
    if recipients is None:
        recipients = list(summary_recipients(team_id=locked.team_id))
    subject = single_line(
        SUMMARY_SUBJECT.format(
            site=settings.SITE_NAME, team=summary.team.name, day=locked.date.isoformat()
        )
    )
    messages = [EmailMessage(subject, locked.body, to=[p.email]) for p in recipients]
    if messages:
        get_connection().send_messages(messages)
    DailySummary.objects.filter(pk=locked.pk).update(
        emailed_at=timezone.now(), emailed_to=len(messages)
    )
    return len(messages)


@dataclass
class SummariesSent:
    """What `daily_summaries_email` did: people emailed, and the teams whose email failed."""

    emailed: int = 0
    failed: dict[int, Exception] = field(default_factory=dict)  # team id -> why


@transaction.atomic
def daily_summaries_email(
    *, summaries: Sequence[DailySummary], recipients: dict[int, list[User]]
) -> SummariesSent:
    """Email each summary of a batch to its team's `recipients` once, in two queries for the
    whole batch (the rows locked, then the sent ones marked in one UPDATE).

    The rule is `daily_summary_email`'s: a summary already emailed is not sent again, and one
    whose email fails is not marked, so the next run tries it again (the other teams of the
    batch are marked). The rows stay locked while the batch's emails go out, so two runs never
    both send; if the process dies mid-batch, the batch's emails may go out once more.
    """
    outcome = SummariesSent()
    if not summaries:
        return outcome
    teams = {summary.pk: summary.team for summary in summaries}
    locked = DailySummary.objects.select_for_update().filter(pk__in=teams, emailed_at__isnull=True)
    sent: list[DailySummary] = []
    connection = get_connection()
    for record in locked.order_by("pk"):
        team = teams[record.pk]
        subject = single_line(
            SUMMARY_SUBJECT.format(
                site=settings.SITE_NAME, team=team.name, day=record.date.isoformat()
            )
        )
        people = recipients.get(record.team_id, [])
        messages = [EmailMessage(subject, record.body, to=[p.email]) for p in people]
        try:
            if messages:
                connection.send_messages(messages)
        except Exception as exc:  # that team's mail only; it is tried again next run
            outcome.failed[record.team_id] = exc
            continue
        record.emailed_at, record.emailed_to = timezone.now(), len(messages)
        sent.append(record)
        outcome.emailed += len(messages)
    if sent:
        DailySummary.objects.bulk_update(sent, ["emailed_at", "emailed_to"])
    return outcome


REMINDER_BATCH = 100


@dataclass
class RemindersSent:
    """What `overdue_reminders_send` did: sent, left to a concurrent run, failed (with why)."""

    sent: int = 0
    skipped: int = 0
    failed: list[tuple[Task, Exception]] = field(default_factory=list)


def overdue_reminders_send(
    *,
    reminders: Sequence[tuple[Task, list[str]]],
    connection=None,
    batch_size: int = REMINDER_BATCH,
    on_batch: Callable[[int], object] | None = None,
) -> RemindersSent:
    """Record and send the reminder of each (task, addresses) for the task's current due date.

    A batch is one transaction with a constant number of queries, however many tasks it holds:
    its rows are inserted together (a task a concurrent run already holds is skipped: the unique
    row makes that insert wait for the other run, then do nothing), the emails go out, and the
    rows of the emails that failed are deleted together, so those are tried again next hour.
    A row and its email still succeed or fail together; if the process dies mid-batch, the
    batch's rows roll back and its emails may go out once more on the next run.
    `on_batch(sent)` is called in each batch's transaction with what the batch sent (a job
    counts it there, so its figure survives the process dying after the batch).
    """
    outcome = RemindersSent()
    for start in range(0, len(reminders), batch_size):
        _reminder_batch_send(reminders[start : start + batch_size], connection, outcome, on_batch)
    return outcome


@transaction.atomic
def _reminder_batch_send(batch, connection, outcome: RemindersSent, on_batch=None) -> None:
    # The batch's own rows carry this run's time, which tells them apart from rows a concurrent
    # run inserted (an insert that ignores conflicts does not say which rows it wrote).
    stamp = timezone.now()
    sent_before = outcome.sent
    OverdueReminder.objects.bulk_create(
        [
            OverdueReminder(task=task, due_date=task.due_date, recipients=to, sent_at=stamp)
            for task, to in batch
        ],
        ignore_conflicts=True,
    )
    rows = OverdueReminder.objects.filter(task_id__in=[task.pk for task, _ in batch])
    ours = set(rows.filter(sent_at=stamp).values_list("task_id", flat=True))
    failed = []
    for task, to in batch:
        if task.pk not in ours:
            outcome.skipped += 1
            continue
        try:
            _reminder_message(task, to, connection).send()
        except Exception as exc:  # its row goes below: tried again on the next run
            failed.append(task.pk)
            outcome.failed.append((task, exc))
            continue
        outcome.sent += 1
    if failed:
        rows.filter(task_id__in=failed, sent_at=stamp).delete()
    if on_batch:
        on_batch(outcome.sent - sent_before)


def _reminder_message(task: Task, recipients: list[str], connection) -> EmailMessage:
    # The due date as the team reads it: its day, or its moment in the team's zone.
    with timezone.override(zone(task.team.time_zone)):
        due = due_text(task.due_date, task.due_day)
        zone_note = "" if task.due_day is not None else f" ({timezone.get_current_timezone_name()})"
    body = (
        f"{task.key} {task.title} (team {task.team.name}) was due "
        f"{due}{zone_note} and is not done yet.\n\n"
        f"Status: {task.get_status_display()}; "
        f"priority: {task.get_priority_display()}.\n"
    )
    subject = single_line(
        REMINDER_SUBJECT.format(site=settings.SITE_NAME, key=task.key, title=task.title)
    )
    return EmailMessage(subject, body, to=recipients, connection=connection)


def overdue_reminder_send(*, task: Task, recipients: list[str], connection=None) -> bool:
    """Record and send one task's reminder (see `overdue_reminders_send`); False if one exists.

    A failed send leaves no row and raises its error.
    """
    outcome = overdue_reminders_send(reminders=[(task, recipients)], connection=connection)
    if outcome.failed:
        raise outcome.failed[0][1]
    return bool(outcome.sent)
