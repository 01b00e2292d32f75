"""The task list's own changelist (lean rows, stable order) and the comments on a task's page."""

from __future__ import annotations

from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from unfold.admin import StackedInline

from portal.adminkit.fields import BoundedInlineFormSet
from portal.tasks import permissions as task_perms
from portal.tasks.admin.forms import NewCommentForm
from portal.tasks.models import Comment
from portal.tasks.querysets import order_by_term
from portal.tasks.richtext import NO_LINKS, text_links
from portal.tasks.selectors import TaskRef, task_comments


class TaskChangeList(ChangeList):
    """Sorts as the task filter set does: tasks without a due date last in both directions."""

    def __init__(self, *args, **kwargs):
        self._change_url = None
        super().__init__(*args, **kwargs)

    def get_ordering(self, request, queryset):
        return [
            order_by_term(term) if isinstance(term, str) else term
            for term in super().get_ordering(request, queryset)
        ]

    def get_results(self, request):
        # The rows show the team's key, not the creator, the parent or the long text fields:
        # leave their joins and columns out of the page's query. Actions read the tasks anew
        # (cl.get_queryset), with every field the services need.
        self.queryset = (
            self.queryset.select_related(None)
            .select_related("team")
            .defer("description", "metadata")
        )
        super().get_results(request)

    def url_for_result(self, result):
        # The key and the title both link to the task, and every task's address differs only
        # by its id (a number): reverse it once per page and put each id in.
        if self._change_url is None:
            self._change_url = super().url_for_result(result).rsplit(f"/{result.pk}/", 1)
        start, end = self._change_url
        return f"{start}/{result.pk}/{end}"


def admin_task_link(ref: TaskRef) -> str:
    """Where a task key in a text leads in the admin: the task's change page."""
    return reverse("admin:tasks_task_change", args=[ref.pk])


class CommentsInline(StackedInline):
    """The task page's one comments area: the description and the comments as the team sees
    them (Markdown), then a box to add a comment.

    Existing comments are listed (authors edit them, authors and leads delete them, on the
    comment's own page, so a task form never rewrites other people's comments); the formset
    holds only the new comment, which is optional and saved through comment_add with the task.
    """

    model = Comment
    form = NewCommentForm
    formset = BoundedInlineFormSet
    fields = ["body"]
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = "comment"
    verbose_name_plural = "comments"
    template = "admin/tasks/task/comments.html"

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A fresh class per call (like the form's request): the comments shown above the box.
        comments = list(task_comments(fetched_by=request.user, task=obj))
        for comment in comments:
            comment.can_edit = task_perms.can_edit_comment(request.user, comment, obj.team_id)
            comment.can_delete = task_perms.can_delete_comment(request.user, comment, obj.team_id)
        formset.comments = comments
        formset.description = obj.description if obj else ""
        # The task keys and people the description and comments name, read at once
        # (portal/tasks/richtext.py); keys lead to their admin pages.
        formset.links = (
            text_links(
                user=request.user,
                team=obj.team,
                texts=[obj.description, *(c.body for c in comments)],
                task_url=admin_task_link,
            )
            if obj
            else NO_LINKS
        )
        return formset

    def has_add_permission(self, request, obj=None):
        return obj is not None and task_perms.can_comment(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return obj is not None and task_perms.can_view_task(request.user, obj)
