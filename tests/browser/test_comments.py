"""Comments in Markdown in a real browser: preview, post, edit, and the edited marker.

A member previews a Markdown comment (rendered by the server, shown in place of the box),
posts it, edits it in place and sees "(edited ...)"; the page passes axe-core and logs no
console error or CSP violation. `make screenshots` keeps team-comment-markdown.png.
"""

from __future__ import annotations

import pytest

from portal.tasks.models import Comment, Task
from tests.browser.test_team_pages import Visit, browser, demo, shots  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Checked with **the vendor**:\n\n"
    "- window booked for `02:00`\n"
    "- rollback notes in {key}\n\n"
    "> Keep the old config until Friday.\n\n"
    "[Runbook](https://example.com/runbook) · ![tracker](https://evil.example/p.png)"
)


def test_member_previews_posts_and_edits_a_markdown_comment(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    task = Task.objects.filter(team__slug="operations").order_by("number").first()
    other = Task.objects.filter(team__slug="operations").order_by("number")[1]
    visit.open(f"/teams/operations/tasks/{task.number}/", "#comment-form")

    box = page.locator("#comment-form textarea[name=body]")
    box.fill(TEXT.format(key=other.key))
    preview = page.locator("#comment-form button[data-preview]")
    preview.click()
    shown = page.locator("#comment-form .task-preview")
    shown.locator("strong:has-text('the vendor')").wait_for()
    assert preview.get_attribute("aria-pressed") == "true"
    assert box.is_hidden()
    assert shown.locator(f"a.task-key:has-text('{other.key}')").count() == 1
    assert shown.locator("img").count() == 0  # the outside image is a link, never loaded
    visit.accessible()
    preview.click()  # back to the box
    assert box.is_visible() and preview.get_attribute("aria-pressed") == "false"

    page.click("#add-comment")
    comment = page.locator("#comments .comment:has-text('the vendor')")
    comment.wait_for()
    assert comment.locator("blockquote").count() == 1
    assert comment.locator("code:has-text('02:00')").count() == 1
    assert comment.locator(".comment-edited").count() == 0

    saved = Comment.objects.filter(task=task).latest("created_at")
    comment.locator("summary:has-text('Edit')").click()
    edit_box = page.locator(f"#comment-{saved.pk}-body")
    edit_box.fill(edit_box.input_value().replace("Friday", "**Monday**"))
    comment.locator("button:has-text('Save comment')").click()
    page.locator(f"#comment-{saved.pk} .comment-edited").wait_for()
    edited = page.locator(f"#comment-{saved.pk}")
    assert edited.locator("strong:has-text('Monday')").count() == 1
    assert "(edited " in edited.locator(".comment-edited").inner_text()
    visit.accessible()
    page.locator("#comments").screenshot(path=shots / "team-comment-markdown.png")
    visit.clean()
