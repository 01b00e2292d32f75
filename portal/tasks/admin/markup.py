"""Text the portal wrote in Markdown, shown in the admin with its task keys as links."""

from __future__ import annotations

from django.urls import reverse
from django.utils.safestring import SafeString

from portal.core.markdown import markdown_to_html
from portal.tasks.keys import KEY_IN_TEXT_RE
from portal.tasks.selectors import task_ids_by_key


def markdown_with_task_links(user, text: str) -> SafeString:
    """Safe HTML of `text`, each task key the person may see (OPS-42) linking to its page."""
    ids = task_ids_by_key(
        fetched_by=user, keys={match.group(0) for match in KEY_IN_TEXT_RE.finditer(text)}
    )

    def link(match) -> str:
        key = match.group(0)
        if key not in ids:
            return key
        return f"[{key}]({reverse('admin:tasks_task_change', args=[ids[key]])})"

    return markdown_to_html(KEY_IN_TEXT_RE.sub(link, text))
