"""@mentions as links on the team pages and in the admin: only people who may see the task,
the text as written, everything escaped, one query for all the mentions of a page."""

import pytest
from django.urls import reverse

from portal.core.markdown import markdown_to_html
from portal.tasks import services as ts
from portal.tasks.mentions import link_mentions, mentioned_people
from portal.tasks.models import Comment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/teams/operations/tasks/?assignee={}"


@pytest.fixture
def task(team, lead, member):
    return ts.task_create(
        actor=lead,
        team=team,
        title="Fix the printer",
        description="Ask **@Member** and @outsider, not `@member2` or @nobody.",
    )


def link(user, text=None):
    return (
        f'<a class="mention" href="{PEOPLE.format(user.pk)}" title="{user.display_name}">'
        f"{text or '@' + user.username}</a>"
    )


def test_only_people_who_may_see_the_task_are_linked(
    team, member, member2, outsider, superuser, django_assert_num_queries
):
    inactive = UserFactory(username="gone", is_active=False)
    team.memberships.create(user=inactive, role="member")
    texts = ["@MEMBER and @member2", "@outsider @root @gone @nobody", None, ""]
    with django_assert_num_queries(1):
        people = mentioned_people(team=team, texts=texts)
    assert set(people) == {"member", "member2", "root"}
    assert people["member"].url == PEOPLE.format(member.pk)
    with django_assert_num_queries(0):
        assert mentioned_people(team=team, texts=["no one here", "mail me at a@b.example"]) == {}


def test_a_comment_keeps_its_text_and_is_escaped(team, member, outsider):
    people = mentioned_people(team=team, texts=["@member"])
    body = '<b>hi</b> @Member, @outsider & "@member." x@member'
    html = link_mentions(body, people)
    assert html == (
        f"&lt;b&gt;hi&lt;/b&gt; {link(member, '@Member')}, @outsider &amp; &quot;"
        f"{link(member)}.&quot; x@member"
    )
    assert link_mentions(None, people) == ""
    assert link_mentions("@member", {}) == "@member"


def test_a_description_links_in_its_text_not_in_code_or_links(team, member, member2):
    text = "Ask **@member**, `@member2` and [@member2](/x) <script>@member</script>"
    people = mentioned_people(team=team, texts=[text])
    html = link_mentions(markdown_to_html(text), people)
    assert f"<strong>{link(member)}</strong>" in html
    assert (
        "<code>@member2</code>" in html
        and '<a href="/x" rel="noopener noreferrer">@member2</a>' in html
    )
    assert "<script" not in html


def test_a_hostile_display_name_is_escaped(team):
    evil = UserFactory(username="evil", first_name='"><script>alert(1)</script>', last_name="")
    team.memberships.create(user=evil, role="member")
    html = link_mentions("@evil", mentioned_people(team=team, texts=["@evil"]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.startswith('<a class="mention" href="') and html.endswith(">@evil</a>")


def test_the_task_page_links_mentions_in_the_description_and_comments(
    client, task, member, member2, outsider
):
    ts.comment_add(actor=member, task=task, body="<i>@member2</i> see @outsider")
    client.force_login(member)
    page = client.get(reverse("pages:task", args=[task.team.slug, task.number])).content.decode()
    assert link(member, "@Member") in page  # in the description, as written
    # Comments are Markdown too: the raw <i> is dropped, its text kept and linked.
    assert f"<p>{link(member2)} see @outsider</p>" in page and "<i>" not in page
    assert "<code>@member2</code>" in page
    assert f'?assignee={outsider.pk}"' not in page
    # The comments area alone (htmx, after adding one) links them too.
    response = client.post(
        reverse("pages:comment_add", args=[task.team.slug, task.number]),
        {"body": "@member2 again"},
        HTTP_HX_REQUEST="true",
    )
    assert f"{link(member2)} again" in response.content.decode()


def test_the_admin_task_page_links_mentions_in_comments(client, task, member, member2, superuser):
    Comment.objects.create(task=task, author=member, body="@member2 <b>x</b> @nobody")
    client.force_login(superuser)
    page = client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    # Comments are Markdown: the raw <b> is dropped and its text kept.
    assert f"<p>{link(member2)} x @nobody</p>" in page
