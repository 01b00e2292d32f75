"""Comments: listed here; edited by their authors and deleted by them or a lead; added from the
task page. A comment's page shows its Markdown as the team sees it."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from unfold.decorators import display

from portal.adminkit.bases import PortalModelAdmin, ScopedHistoryAdmin, moment_column
from portal.tasks import permissions as task_perms
from portal.tasks import services
from portal.tasks.admin.task_parts import admin_task_link
from portal.tasks.models import Comment
from portal.tasks.resources import CommentResource
from portal.tasks.richtext import rich_text, text_links
from portal.tasks.selectors import comments_visible_to
from portal.teams import permissions as perms


@admin.register(Comment)
class CommentAdmin(ScopedHistoryAdmin, PortalModelAdmin):
    spreadsheet = "export"
    resource_classes = [CommentResource]
    list_display = ["task_display", "author", "excerpt", "created_at_display"]
    list_select_related = ["task__team", "author"]
    search_fields = ["body"]
    fields = ["task", "author", "body", "shown", "created_at_display", "edited_at_display"]
    readonly_fields = ["task", "author", "shown", "created_at_display", "edited_at_display"]
    ordering = ["-created_at"]

    created_at_display = moment_column("created_at", "written")
    edited_at_display = moment_column("edited_at", "edited")

    def get_queryset(self, request):
        return comments_visible_to(fetched_by=request.user)

    def get_object(self, request, object_id, from_field=None):
        comment = super().get_object(request, object_id, from_field)
        if comment is not None:
            # What its text links to, for `shown` (which sees the comment, not the request).
            comment.shown_links = text_links(
                user=request.user,
                team=comment.task.team,
                texts=[comment.body],
                task_url=admin_task_link,
            )
        return comment

    @display(description="shown as")
    def shown(self, obj):
        return format_html(
            '<div class="portal-markdown">{}</div>',
            rich_text(obj.body, getattr(obj, "shown_links", None)),
        )

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return task_perms.can_view_task(request.user, obj.task)
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False  # comments are added from the task page

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return task_perms.can_edit_comment(request.user, obj, obj.task.team_id)
        return perms.can_write_somewhere(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            return task_perms.can_delete_comment(request.user, obj, obj.task.team_id)
        return perms.can_write_somewhere(request.user)

    @display(description="task", ordering="task__number")
    def task_display(self, obj):
        return f"{obj.task.key} {obj.task.title}"

    @display(description="comment")
    def excerpt(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:77] + "..."

    def service_update(self, request, obj, changes):
        return services.comment_update(
            actor=request.user, comment=obj, body=changes.get("body", obj.body)
        )

    def service_delete(self, request, obj):
        services.comment_delete(actor=request.user, comment=obj)
