"""The attachments section of a task page, and a comment's own files (one query per page)."""

from django import template

from portal.attachments.services import megabytes
from portal.pages.views.attachments import attachments_context

register = template.Library()


@register.filter
def file_size(size: int) -> str:
    return megabytes(size or 0)


def _section_context(context) -> dict:
    """Read once per request (the comments list asks again for each comment)."""
    request = context["request"]
    task, team = context["task"], context["team"]
    cache = request.__dict__.setdefault("_portal_attachments", {})
    if task.pk not in cache:
        cache[task.pk] = attachments_context(request.user, team, task)
    return cache[task.pk]


@register.inclusion_tag("teams/_attachments.html", takes_context=True)
def attachments_section(context) -> dict:
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "team": context["team"],
        "task": context["task"],
        **_section_context(context),
    }


@register.inclusion_tag("teams/_comment_files.html", takes_context=True)
def comment_files(context, comment) -> dict:
    items = [a for a in _section_context(context)["attachments"] if a.comment_id == comment.pk]
    return {"files": items, "team": context["team"], "task": context["task"]}
