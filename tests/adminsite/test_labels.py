"""Words on the admin's pages: headers named as the sidebar names pages, tab titles, column
labels and empty lists in plain words."""

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from portal.jobs.schedules import setup_schedules
from portal.tasks.services import task_create


def header(html: str) -> list[str]:
    """The parts of the page header's trail."""
    h1 = re.search(r"<h1 class=\"overflow-hidden[^>]*>(.*?)</h1>", html, re.S).group(1)
    text = strip_tags(h1.replace("chevron_right", "|"))
    return [part.strip() for part in text.split("|") if part.strip()]


@pytest.fixture
def task(team, member):
    return task_create(actor=member, team=team, title="Rotate certificates")


def test_headers_follow_the_sidebar_not_app_and_model(client, member, task):
    client.force_login(member)
    pages = {
        reverse("admin:tasks_task_changelist"): ["Work", "Tasks"],
        reverse("admin:tasks_task_change", args=[task.pk]): [
            "Work",
            "Tasks",
            "OPS-1 Rotate certificates",
        ],
        reverse("admin:tasks_task_add"): ["Work", "Tasks", "Add task"],
        reverse("admin:jobs_dailysummary_changelist"): ["Reports", "Daily summaries"],
        reverse("admin:accounts_user_changelist"): ["People", "Users"],
    }
    for url, trail in pages.items():
        assert header(client.get(url).content.decode()) == trail, url


def test_operations_pages_are_named_as_in_the_sidebar(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:django_q_schedule_changelist")).content.decode()
    assert header(html) == ["Operations", "Schedules"]


def test_list_tab_title_names_the_list(client, member, task):
    client.force_login(member)
    html = client.get(reverse("admin:tasks_task_changelist")).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert " ".join(title.split()) == "Tasks | Team Task Portal"
    assert "Select task to change" not in html


def test_schedule_columns_read_as_words(client, superuser, settings):
    setup_schedules()
    client.force_login(superuser)
    html = client.get(reverse("admin:django_q_schedule_changelist")).content.decode()
    assert "Last run" in html and "Last_run" not in html
    assert ">forever<" in html and ">-1<" not in html


def test_an_empty_list_says_what_is_empty(client, member, task):
    client.force_login(member)
    url = reverse("admin:tasks_task_changelist")
    html = client.get(url, {"q": "no such words"}).content.decode()
    assert "No tasks match this search or these filters." in html
    assert "yielded" not in html
    html = client.get(reverse("admin:tasks_comment_changelist")).content.decode()
    assert "There are no comments here yet." in html


def test_no_team_page_has_no_red_permission_message(client, django_user_model):
    person = django_user_model.objects.create_user("newcomer", password="x")
    client.force_login(person)
    html = client.get(reverse("admin:index")).content.decode()
    assert "You are not in any team yet" in html
    assert "permission to view or edit anything" not in html


def test_the_admin_links_to_the_team_pages_and_the_api_docs(client, member):
    # Both ways: the sidebar and the header's site menu lead back to where people work.
    client.force_login(member)
    html = client.get("/admin/").content.decode()
    assert html.count('href="/teams/"') >= 2
    assert 'href="/api/docs/"' in html
