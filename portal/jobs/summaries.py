"""The daily summary of a team: its shape, its Markdown and where the file goes.

Days are the portal's local days (settings.TIME_ZONE). "Overdue" means due before today and
not done, so a task is never listed both as due today and overdue. The summary is collected by
`portal.jobs.selectors.team_summary` and stored by `portal.jobs.services.daily_summary_store`.
Titles and names are people's text, not Markdown: they are escaped, so they show as written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.accounts.models import User
from portal.core.markdown import escape_text
from portal.tasks.due import due_text
from portal.tasks.models import Task
from portal.teams.models import Team

LIST_LIMIT = 50


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


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
