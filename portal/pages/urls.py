"""The team pages' addresses: /, /teams/ and /teams/<slug>/... (see docs/team-pages.md)."""

from django.urls import path, register_converter

from portal.pages.converters import RowIdConverter, TaskNumberConverter
from portal.pages.views import (
    activity,
    attachments,
    board,
    bulk,
    calendar,
    comments,
    exports,
    feeds,
    home,
    inbox,
    invitation,
    people,
    profile,
    reports,
    saved,
    task,
    task_lead,
    tasks,
)
from portal.pages.views.search import search

register_converter(TaskNumberConverter, "number")
register_converter(RowIdConverter, "rowid")

app_name = "pages"

urlpatterns = [
    path("", home.front_door, name="front_door"),
    path("teams/", home.team_index, name="teams"),
    path("search/", search, name="search"),
    path("profile/", profile.profile, name="profile"),
    # Notifications (docs/team-pages.md): the inbox, email choices, one-click unsubscribe.
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("inbox/<rowid:notification_id>/", inbox.inbox_open, name="inbox_open"),
    path("profile/notifications/", inbox.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", inbox.unsubscribe, name="unsubscribe"),
    path("teams/<slug:slug>/", board.board, name="board"),
    path("teams/<slug:slug>/board/<str:status>/", board.board_more, name="board_more"),
    path("teams/<slug:slug>/tasks/", tasks.task_list_page, name="task_list"),
    path("teams/<slug:slug>/calendar/", calendar.team_calendar, name="calendar"),
    path("teams/<slug:slug>/tasks/<number:number>/due/", calendar.move_due, name="task_due"),
    path(
        "teams/<slug:slug>/tasks/<number:number>/repeat/stop/",
        calendar.repeat_stop,
        name="task_repeat_stop",
    ),
    path("teams/<slug:slug>/activity/", activity.activity, name="activity"),
    path("teams/<slug:slug>/reports/", reports.reports, name="reports"),
    path("teams/<slug:slug>/reports/export.<str:fmt>", reports.export, name="reports_export"),
    path("teams/<slug:slug>/tasks/new/", task.task_new, name="task_create"),
    path("teams/<slug:slug>/tasks/<number:number>/", task.task_page, name="task"),
    path(
        "teams/<slug:slug>/tasks/<number:number>/history/",
        task.history_fragment,
        name="task_history",
    ),
    path("teams/<slug:slug>/tasks/<number:number>/edit/", task.task_edit, name="task_edit"),
    path("teams/<slug:slug>/tasks/<number:number>/watch/", inbox.task_watch, name="task_watch"),
    path(
        "teams/<slug:slug>/tasks/<number:number>/archive/", task_lead.archive, name="task_archive"
    ),
    path("teams/<slug:slug>/tasks/<number:number>/delete/", task_lead.delete, name="task_delete"),
    path("teams/<slug:slug>/preview/", comments.markdown_preview, name="markdown_preview"),
    path(
        "teams/<slug:slug>/tasks/<number:number>/comments/",
        comments.comment_create,
        name="comment_add",
    ),
    path(
        "teams/<slug:slug>/tasks/<number:number>/comments/<rowid:comment_id>/edit/",
        comments.comment_edit,
        name="comment_edit",
    ),
    path(
        "teams/<slug:slug>/tasks/<number:number>/comments/<rowid:comment_id>/delete/",
        comments.comment_remove,
        name="comment_delete",
    ),
    path(
        "teams/<slug:slug>/tasks/<number:number>/attachments/",
        attachments.attachment_add,
        name="attachment_add",
    ),
    path(
        "teams/<slug:slug>/tasks/<number:number>/attachments/<rowid:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
    path(
        "teams/<slug:slug>/tasks/<number:number>/attachments/<rowid:attachment_id>/thumbnail/",
        attachments.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
    path(
        "teams/<slug:slug>/tasks/<number:number>/attachments/<rowid:attachment_id>/delete/",
        attachments.attachment_remove,
        name="attachment_delete",
    ),
    path("teams/<slug:slug>/tasks/<number:number>/move/", board.move, name="task_move"),
    path("teams/<slug:slug>/tasks/<number:number>/take/", board.take, name="task_take"),
    # Saved views (docs/team-pages.md#saved-views): save a page's filters, change a view.
    path("teams/<slug:slug>/views/", saved.create, name="saved_view_create"),
    path("tasks/views/", saved.create, name="my_saved_view_create"),
    path("views/<rowid:view_id>/", saved.change, name="saved_view_change"),
    path("teams/<slug:slug>/people/", people.people, name="people"),
    path("teams/<slug:slug>/people/invite/", people.invite, name="invite"),
    path(
        "teams/<slug:slug>/people/invitations/<rowid:invitation_id>/resend/",
        people.resend,
        name="invitation_resend",
    ),
    path(
        "teams/<slug:slug>/people/invitations/<rowid:invitation_id>/revoke/",
        people.revoke,
        name="invitation_revoke",
    ),
    path("feeds/<str:token>/my.ics", feeds.my_feed, name="feed_mine"),
    path("feeds/<str:token>/team/<slug:slug>.ics", feeds.team_feed, name="feed_team"),
    path("profile/feed/", profile.feed, name="profile_feed"),
    path("invitations/<str:token>/", invitation.invitation, name="invitation"),
    # My work (every team of mine) and the lists' exports and bulk edit.
    path("tasks/", tasks.my_work, name="my_work"),
    path("tasks/calendar/", calendar.my_calendar, name="my_calendar"),
    path("tasks/export.<str:fmt>", tasks.export, name="my_work_export"),
    path("tasks/bulk/", bulk.bulk_edit, name="my_work_bulk"),
    path("tasks/exports/<rowid:job_id>/", exports.export_job, name="export_job"),
    path("tasks/exports/<rowid:job_id>/file/", exports.export_file, name="export_file"),
    path("teams/<slug:slug>/tasks/export.<str:fmt>", tasks.export, name="task_list_export"),
    path("teams/<slug:slug>/tasks/bulk/", bulk.bulk_edit, name="task_list_bulk"),
]
