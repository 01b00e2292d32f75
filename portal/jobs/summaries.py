"""The daily summary of a team: its shape, its Markdown and where the file goes.

Days are the team's days, in its time zone (`Team.time_zone`): "today", "yesterday" and the
times shown are the team's. A team's summary is due once DAILY_SUMMARY_HOUR has come on its
day in its zone (`summary_day`). "Overdue" means due before today and not done, so a task is
never listed both as due today and overdue. The summary is collected by
`portal.jobs.selectors.team_summary` and stored by `portal.jobs.services.daily_summary_store`.
Titles and names are people's text, not Markdown: they are escaped, so they show as written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.accounts.models import User
from portal.core.markdown import escape_text
from portal.core.zones import start_of_day, today_in, zone
from portal.tasks.due import due_text
from portal.tasks.models import Task
from portal.teams.models import Team

LIST_LIMIT = 50


def day_bounds(day: date, in_zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The first moment of `day` and of the next day in `in_zone` (the current zone if none)."""
    in_zone = in_zone or timezone.get_current_timezone()
    return start_of_day(day, in_zone), start_of_day(day + timedelta(days=1), in_zone)


def summary_day(team: Team, at: datetime) -> date | None:
    """The team's day whose summary is due at `at`: the team's today once DAILY_SUMMARY_HOUR
    has come in the team's zone, None before.

    Compared as moments, so a summary hour a clock change skips (02:00 on a spring-forward
    night) comes at the first moment after it, and one a clock change repeats comes once.
    """
    in_zone = zone(team.time_zone)
    today = today_in(in_zone, at)
    due_at = datetime.combine(today, time(settings.DAILY_SUMMARY_HOUR), tzinfo=in_zone)
    return today if at.astimezone(UTC) >= due_at.astimezone(UTC) else None


@dataclass
class Section:
    title: str
    tasks: list[Task]
    total: int


@dataclass
class TeamSummary:
    team: Team
    day: date
    sections: list[Section] = field(default_factory=list)
    # (person, open tasks, of which overdue)
    people: list[tuple[User, int, int]] = field(default_factory=list)
    open_total: int = 0
    unassigned_open: int = 0

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.title.lower().replace(" ", "_"): s.total for s in self.sections}
        counts["open"] = self.open_total
        return counts


def _who(task: Task) -> str:
    # Collected summaries carry the names (portal.jobs.selectors reads them in one query).
    names = getattr(task, "assignee_names", None)
    if names is None:
        names = [person.username for person in task.assignees.all()]
    return ", ".join(f"@{escape_text(name)}" for name in names) or "unassigned"


def _line(task: Task) -> str:
    due = ""
    if task.due_date:
        due = f", due {due_text(task.due_date, task.due_day)}"
    return (
        f"- **{task.key}** {escape_text(task.title)} "
        f"({task.get_priority_display().lower()}{due}; {_who(task)})"
    )


def render_markdown(summary: TeamSummary) -> str:
    """The summary as Markdown, its times in the team's zone."""
    with timezone.override(zone(summary.team.time_zone)):
        return _markdown(summary)


def _markdown(summary: TeamSummary) -> str:
    team, day = summary.team, summary.day
    counts = summary.counts
    out = [
        f"# {escape_text(team.name)} ({team.key}): daily summary for {day:%A %d %B %Y}",
        "",
        "| | |",
        "| --- | ---: |",
    ]
    out += [f"| {s.title} | {s.total} |" for s in summary.sections]
    out += [f"| Open tasks | {counts['open']} |", ""]
    for section in summary.sections:
        out += [f"## {section.title} ({section.total})", ""]
        if not section.tasks:
            out.append("Nothing.")
        out += [_line(t) for t in section.tasks]
        if section.total > len(section.tasks):
            out.append(f"- ... and {section.total - len(section.tasks)} more")
        out.append("")
    out += ["## Open work per assignee", "", "| Person | Open | Overdue |", "| --- | ---: | ---: |"]
    out += [
        f"| {escape_text(u.display_name)} (@{escape_text(u.username)}) | {n} | {o} |"
        for u, n, o in summary.people
    ]
    out += [f"| Unassigned | {summary.unassigned_open} | |", ""]
    out.append(f"_Generated {timezone.localtime():%Y-%m-%d %H:%M %Z} by {settings.SITE_NAME}._")
    return "\n".join(out) + "\n"


def summary_relpath(team: Team, day: date) -> str:
    return f"summaries/{day:%Y-%m-%d}/{team.slug}.md"


def write_shared_file(relpath: str, text: str) -> Path:
    """Write under SHARED_DIR atomically (readers never see half a file)."""
    target = Path(settings.SHARED_DIR) / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
