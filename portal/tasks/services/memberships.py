"""What tasks do when a membership or a team changes (listeners registered with the teams'
services): a person removed or made viewer is taken off the team's tasks; a team's new time zone
moves its day-only due dates."""

from __future__ import annotations

from django.utils import timezone

from portal.accounts.models import User
from portal.core.history import record_change
from portal.core.zones import end_of_day, zone
from portal.tasks.models import TASK_HISTORY, Task
from portal.teams import services as team_services
from portal.teams.models import Membership, Team
from portal.teams.permissions import WRITE_ROLES


@team_services.on_membership_change
def _take_off_tasks(*, actor: User, membership: Membership, removed: bool) -> None:
    """A person removed from a team, or made a viewer, is taken off the team's tasks.

    Viewers cannot change or comment on tasks, so they are not left as assignees of any.
    Registered with the teams' services: every door that changes a membership gets this.
    """
    if removed or membership.role not in WRITE_ROLES:
        unassign_from_team(actor=actor, team=membership.team, user=membership.user)


def unassign_from_team(*, actor: User, team: Team, user: User) -> int:
    """Remove `user` from the assignees of every task of `team`; returns how many changed.

    The tasks' rows are locked first (as every change of a task's links does), and their
    `updated_at` moves, so a change of the same task at the same moment waits and then sees
    the assignees as they are after this one.
    """
    tasks = list(
        Task.objects.filter(team=team, assignees=user)
        .select_for_update(of=("self",))
        .select_related("team")
        .order_by("pk")
    )
    if not tasks:
        return 0
    now = timezone.now()
    Task.assignees.through.objects.filter(task__in=tasks, user=user).delete()
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(updated_at=now)
    for task in tasks:
        task.updated_at = now
        record_change(TASK_HISTORY, task, actor=actor, history_type="~")
    return len(tasks)


@team_services.on_team_change
def _move_day_deadlines(*, actor: User, team: Team, changed: set[str]) -> None:
    """A team's new time zone moves its day-only due dates to the ends of the same days there.

    The days people gave stay as they were (no history record: nobody changed a due day); only
    the moment each becomes overdue follows the team's zone. One UPDATE per distinct due day.
    """
    if "time_zone" not in changed:
        return
    in_zone = zone(team.time_zone)
    tasks = Task.objects.filter(team=team, due_day__isnull=False)
    for due_day in tasks.values_list("due_day", flat=True).distinct().order_by():
        tasks.filter(due_day=due_day).update(due_date=end_of_day(due_day, in_zone))
