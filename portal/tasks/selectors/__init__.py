"""Reads about tasks, comments and tags, scoped once by team membership.

Every door starts from these querysets, so team scoping is written and tested once. The list
selectors preload what list pages show (team, creator, assignees, tags) so the number of queries
stays constant however many rows there are. One module per subject: `tasks`, `board`,
`history`, `activity`, `comments`, `tags`, `search`; import them from `portal.tasks.selectors`.
"""

from portal.tasks.selectors.activity import (
    ACTIVITY_PAGE,
    COMMENT_CHANGE,
    TASK_CHANGE,
    ActivityCursor,
    team_activity,
    team_comment_history,
    team_history_entries,
    team_task_history,
)
from portal.tasks.selectors.board import (
    BOARD_COLUMNS,
    BOARD_DONE_ORDER,
    BOARD_ORDER,
    BOARD_PAGE,
    board_card,
    board_card_custom,
    board_card_links,
    board_cards,
    board_counts,
    board_filters,
)
from portal.tasks.selectors.calendar import (
    CALENDAR_MAX,
    FEED_MAX,
    CalendarTasks,
    due_day_of,
    feed_addresses,
    tasks_by_due_day,
    tasks_for_feed,
)
from portal.tasks.selectors.comments import comments_visible_to, task_comments
from portal.tasks.selectors.history import history_readable, task_history, task_history_entries
from portal.tasks.selectors.search import (
    SEARCH_MAX_LENGTH,
    SEARCH_PER_TEAM,
    task_at_key,
    task_search_by_team,
)
from portal.tasks.selectors.tags import (
    tags_by_name,
    tags_seen_by,
    tags_visible_to,
    tags_with_task_counts,
)
from portal.tasks.selectors.tasks import (
    ASSIGNEE,
    BOARD_CARD_FIELDS,
    TAG,
    TASK_HISTORY_M2M,
    TASK_ROW_FIELDS,
    open_tasks_assigned,
    open_tasks_assigned_by_team,
    task_ids_by_key,
    task_links,
    task_list,
    task_rows,
    tasks_by_key,
    tasks_like,
    tasks_visible_to,
)

__all__ = [
    "ACTIVITY_PAGE",
    "ASSIGNEE",
    "BOARD_CARD_FIELDS",
    "BOARD_COLUMNS",
    "BOARD_DONE_ORDER",
    "BOARD_ORDER",
    "BOARD_PAGE",
    "CALENDAR_MAX",
    "COMMENT_CHANGE",
    "FEED_MAX",
    "SEARCH_MAX_LENGTH",
    "SEARCH_PER_TEAM",
    "TAG",
    "TASK_CHANGE",
    "TASK_HISTORY_M2M",
    "TASK_ROW_FIELDS",
    "ActivityCursor",
    "CalendarTasks",
    "board_card",
    "board_card_custom",
    "board_card_links",
    "board_cards",
    "board_counts",
    "board_filters",
    "comments_visible_to",
    "due_day_of",
    "feed_addresses",
    "history_readable",
    "open_tasks_assigned",
    "open_tasks_assigned_by_team",
    "tags_by_name",
    "tags_seen_by",
    "tags_visible_to",
    "tags_with_task_counts",
    "task_at_key",
    "task_comments",
    "task_history",
    "task_history_entries",
    "task_ids_by_key",
    "task_links",
    "task_list",
    "task_rows",
    "task_search_by_team",
    "tasks_by_due_day",
    "tasks_by_key",
    "tasks_for_feed",
    "tasks_like",
    "tasks_visible_to",
    "team_activity",
    "team_comment_history",
    "team_history_entries",
    "team_task_history",
]
