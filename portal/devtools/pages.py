"""The team pages' measures: board, team list, task list, My work, task page, calendar, activity
and reports, each next to a floor (`page_floors`), as the issue's targets name them (a mixin of
`Bench`, which holds the signed-in client)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from portal.devtools import floors, page_floors
from portal.devtools.timing import Row
from portal.pages.views.tasks import PAGE_SIZE
from portal.tasks.models import Priority, Status, Task
from portal.tasks.selectors import ACTIVITY_PAGE, BOARD_PAGE, CALENDAR_MAX
from portal.tasks.services import comment_add, task_update

PAGE_TARGET_MS = 50
REPORT_TARGET_MS = 150
REPORT_DAYS = 90
# Changes made through the services before the task page and activity are measured: the data
# set is built without history records, and those pages show them.
CHANGED_TASKS = 15
HISTORY_SHOWN = 20  # a task page's first page of history (portal.pages.views.task)


class PageMeasures:
    """The team pages' measures of `Bench` (a mixin: `self` is the bench)."""

    def _page_paths(self) -> dict:
        slug = self.team.slug
        return {
            "team_board": reverse("pages:board", args=[slug]),
            "team_list": reverse("pages:teams"),
            "team_task_list": reverse("pages:task_list", args=[slug]),
            "my_work": reverse("pages:my_work"),
            "team_calendar": reverse("pages:calendar", args=[slug])
            + f"?month={timezone.localdate():%Y-%m}",
            "activity": reverse("pages:activity", args=[slug]),
            "reports": reverse("pages:reports", args=[slug]) + f"?days={REPORT_DAYS}",
        }

    def _page_row(self, name: str, floor, note: str, target: int = PAGE_TARGET_MS) -> Row:
        row = self.measure(name, self.requests[name], floor=floor)
        row.note = note
        return self.judge(row, f"p50 <= {target} ms", row.p50_ms <= target)

    def _changed_task(self) -> Task:
        """A task of the team with comments, assignees and tags, and a history of changes made
        through the services (once per run; other tasks of the team get changes too, so the
        activity page is a page of real entries)."""
        if getattr(self, "_sample_page_task", None) is None:
            runner = self.data.runner
            tasks = list(
                Task.objects.filter(team=self.team, is_archived=False)
                .annotate(n_comments=Count("comments"))
                .filter(n_comments__gt=0)
                .select_related("team")
                .order_by("-n_comments", "pk")[:CHANGED_TASKS]
            )
            statuses = [Status.TODO, Status.IN_PROGRESS, Status.BLOCKED]
            for index, task in enumerate(tasks):
                task = task_update(actor=runner, task=task, status=statuses[index % len(statuses)])
                task = task_update(actor=runner, task=task, priority=Priority.HIGH)
                comment_add(actor=runner, task=task, body=f"Checked by the benchmark ({index}).")
            self._sample_page_task = tasks[0]
        return self._sample_page_task

    # -- the rows ------------------------------------------------------------------------------
    def team_board(self) -> Row:
        return self._page_row(
            "team_board",
            lambda: page_floors.board(self.team.pk, BOARD_PAGE * 4),
            f"board of one team ({self.team.slug}); floor: {BOARD_PAGE * 4} of its open tasks "
            "with their links, one query",
        )

    def team_list(self) -> Row:
        return self._page_row(
            "team_list",
            lambda: page_floors.team_counts(self.data.runner.pk),
            f"the team list page ({len(self.data.teams)} teams); floor: one aggregate of open "
            "and overdue tasks per team",
        )

    def team_task_list(self) -> Row:
        return self._page_row(
            "team_task_list",
            lambda: page_floors.team_list_page(self.team.pk, PAGE_SIZE),
            f"a team's task list ({self.team.slug}, {PAGE_SIZE} rows); floor: the page with its "
            "links and the capped count, two queries",
        )

    def my_work(self) -> Row:
        return self._page_row(
            "my_work",
            lambda: page_floors.my_work_page(self.data.runner.pk, PAGE_SIZE),
            f"My work ({PAGE_SIZE} rows assigned to me, every team); floor: the page with its "
            "links and the capped count, two queries",
        )

    def task_page(self) -> Row:
        task = self._changed_task()
        self.requests["task_page"] = lambda: self.page(
            reverse("pages:task", args=[self.team.slug, task.number])
        )
        comments = task.n_comments + 1
        return self._page_row(
            "task_page",
            lambda: page_floors.task_page(task.pk, self.data.runner.pk, HISTORY_SHOWN),
            f"the page of {task.key} ({comments} comments; the run changed it twice); floor: "
            "the task with its links, its comments and its history, three queries",
        )

    def team_calendar(self) -> Row:
        first, last = floors.month_grid(timezone.localdate())
        row = self._page_row(
            "team_calendar",
            lambda: floors.calendar_month(self.team.pk, first, last, CALENDAR_MAX),
            "",
        )
        count = self.requests["team_calendar"]().content.count(b'<li class="cal-task ')
        row.extra["tasks_shown"] = count
        row.note = (
            f"month calendar of one team ({self.team.slug}, {count} tasks shown); floor: one "
            "SQL query of the month's tasks grouped by day"
        )
        return row

    def activity(self) -> Row:
        self._changed_task()
        return self._page_row(
            "activity",
            lambda: page_floors.activity(self.team.pk, ACTIVITY_PAGE),
            f"the team's activity ({ACTIVITY_PAGE} entries of {CHANGED_TASKS * 3} changes made "
            "through the services); floor: the records and their people, one query",
        )

    def reports(self) -> Row:
        today = timezone.localdate()
        first = today - timedelta(days=REPORT_DAYS - 1)
        return self._page_row(
            "reports",
            lambda: page_floors.report(self.team.pk, first, today + timedelta(days=1)),
            f"the team's reports over {REPORT_DAYS} days; floor: one of its ten aggregates "
            "(tasks created and finished per day)",
            REPORT_TARGET_MS,
        )
