"""A daily summary's page: its Markdown rendered safely, task keys linked, counts in words."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.jobs.admin import SUMMARY_COUNTS
from portal.jobs.models import DailySummary
from portal.jobs.selectors import team_summary
from portal.jobs.summaries import render_markdown
from portal.tasks.services import task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary(team, other_team, member, outsider):
    # due today, so both are listed in the summary
    now = timezone.now()
    task_create(actor=member, team=team, title="Plain task", due_date=now)
    task_create(
        actor=member, team=team, title="<script>alert(1)</script> after OPS-1", due_date=now
    )
    task_create(actor=outsider, team=other_team, title="Secret plan")
    built = team_summary(team=team, day=timezone.localdate(now))
    # Another team's key mentioned in the text must not become a link.
    body = render_markdown(built) + "\nSee also DES-1.\n"
    return DailySummary.objects.create(
        team=team,
        date=timezone.localdate(now),
        body=body,
        counts=built.counts,
        path="summaries/x/ops.md",
    )


def test_summary_page_renders_markdown_and_links_keys(client, member, summary):
    client.force_login(member)
    html = client.get(reverse("admin:jobs_dailysummary_change", args=[summary.pk])).content
    html = html.decode()
    body = html[html.index('class="portal-markdown"') :]
    assert "<h1>" in body and "<table>" in body  # rendered, not raw Markdown
    assert "| --- |" not in body and "**OPS-" not in body
    first = summary.team.tasks.get(number=1)
    assert f'<a href="{reverse("admin:tasks_task_change", args=[first.pk])}"' in body
    # people's text is text: no script, and another team's key stays plain
    assert "<script>" not in body and "DES-1</a>" not in body and "See also DES-1." in body


def test_counts_are_words_not_json(client, member, summary):
    client.force_login(member)
    page = client.get(reverse("admin:jobs_dailysummary_change", args=[summary.pk])).content
    listing = client.get(reverse("admin:jobs_dailysummary_changelist")).content
    for html in (page.decode(), listing.decode()):
        assert f"{summary.counts['open']} open" in html
        assert all(words in html for _, words in SUMMARY_COUNTS)
        assert '"open":' not in html and "&quot;open&quot;" not in html
    assert "Relative to SHARED_DIR" not in page.decode()


HOSTILE_TITLES = [
    "[x](https://evil.example/login)",
    "[x](//evil.example/x)",
    '<a href="https://evil.example/a">raw</a>',
    "<https://evil.example/auto>",
    "**bold** _and_ `code` | pipe",
]


def test_titles_are_text_and_nothing_links_elsewhere(client, member, team):
    now = timezone.now()
    for title in HOSTILE_TITLES:
        task_create(actor=member, team=team, title=title, due_date=now)
    built = team_summary(team=team, day=timezone.localdate(now))
    summary = DailySummary.objects.create(
        team=team,
        date=timezone.localdate(now),
        body=render_markdown(built),
        counts=built.counts,
        path="summaries/x/ops.md",
    )
    client.force_login(member)
    html = client.get(reverse("admin:jobs_dailysummary_change", args=[summary.pk])).content
    body = html.decode()
    body = body[body.index('class="portal-markdown"') :]
    hrefs = re.findall(r'<a [^>]*href="([^"]*)"', body)
    assert hrefs and all(h.startswith("/") and not h.startswith("//") for h in hrefs)
    items = [unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", body)]
    for title in HOSTILE_TITLES:
        assert any(f" {title} (" in item for item in items), title
