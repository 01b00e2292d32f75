"""People in the admin: fellow members read-only, no hashes or permissions for non-superusers."""

from django.urls import reverse


def test_lead_sees_team_people_without_password_or_permissions(client, lead, member, outsider):
    client.force_login(lead)
    listing = client.get(reverse("admin:accounts_user_changelist"))
    names = {u.username for u in listing.context["cl"].result_list}
    assert names == {"lead", "member"}
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "pbkdf2" not in body and "md5$" not in body
    assert "user_permissions" not in body and 'name="is_superuser"' not in body
    assert page.context["has_change_permission"] is False
    assert client.get(reverse("admin:accounts_user_change", args=[outsider.pk])).status_code == 404


def test_superuser_manages_users(client, superuser, member):
    client.force_login(superuser)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    assert page.context["has_change_permission"] is True
    assert "user_permissions" in page.content.decode()


def test_assignee_autocomplete_limited_to_the_task_team(client, member, lead, outsider, team):
    from portal.tasks.services import task_create

    task = task_create(actor=member, team=team, title="t")
    client.force_login(member)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "tasks", "model_name": "task", "field_name": "assignees", "term": ""},
        headers={"referer": f"http://testserver/admin/tasks/task/{task.pk}/change/"},
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {member.pk, lead.pk}
