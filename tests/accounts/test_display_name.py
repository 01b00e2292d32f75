"""One way to name a person, and one word for a person who is not there, at every door."""

import pytest
from django.urls import reverse

from portal.accounts.models import NOBODY, display_name, name_of
from portal.tasks.models import Comment
from portal.tasks.services import comment_add, task_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_full_name_else_the_username():
    assert display_name(" Ava ", "Stone ", "ava") == "Ava Stone"
    assert display_name("", "", "ava") == "ava"
    assert UserFactory(username="leo", first_name="Leo", last_name="").display_name == "Leo"
    assert name_of(None) == NOBODY


def test_a_deleted_author_reads_the_same_in_the_admin_and_on_the_team_pages(
    client, team, lead, member
):
    leaving = UserFactory(username="leaving", first_name="Lee", last_name="Ving")
    from portal.teams.models import Membership, Role

    Membership.objects.create(team=team, user=leaving, role=Role.MEMBER)
    task = task_create(actor=lead, team=team, title="Handover")
    comment_add(actor=leaving, task=task, body="Notes are in the wiki")
    leaving.delete()
    assert Comment.objects.get().author is None
    assert str(Comment.objects.get()) == f"Comment by {NOBODY} on {task.key}"

    client.force_login(lead)
    admin = client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    page = client.get(reverse("pages:task", args=[team.slug, task.number])).content.decode()
    for html in (admin, page):
        assert "Notes are in the wiki" in html
        assert "former member" not in html
    assert NOBODY in admin
