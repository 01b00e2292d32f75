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


def _outstanding_refresh(user):
    from rest_framework_simplejwt.tokens import RefreshToken

    return RefreshToken.for_user(user)


def _is_blacklisted(token) -> bool:
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

    return BlacklistedToken.objects.filter(token__jti=token["jti"]).exists()


def test_admin_password_changes_end_api_sessions(client, superuser, member):
    token = _outstanding_refresh(member)
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    response = client.post(
        url,
        {
            "password1": "Sunny-Harbour-2026!",
            "password2": "Sunny-Harbour-2026!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert _is_blacklisted(token)

    member.refresh_from_db()  # the new password hash, as a fresh sign-in would have
    own = _outstanding_refresh(member)
    client.force_login(member)
    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "Sunny-Harbour-2026!",
            "new_password1": "Quiet-Meadow-2027?",
            "new_password2": "Quiet-Meadow-2027?",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("admin:password_change_done")
    assert _is_blacklisted(own)


def test_teams_column_shows_only_teams_the_viewer_can_see(client, lead, member, other_team):
    from portal.teams.models import Membership

    Membership.objects.create(user=member, team=other_team, role="member")
    client.force_login(lead)
    listing = client.get(reverse("admin:accounts_user_changelist"))
    body = listing.content.decode()
    assert "OPS (member)" in body
    assert "DES" not in body and other_team.name not in body


def test_forged_team_in_referer_reveals_nothing(client, member, team, other_team, outsider):
    client.force_login(member)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "tasks", "model_name": "task", "field_name": "assignees", "term": ""},
        headers={"referer": f"http://testserver/admin/tasks/task/add/?team={other_team.pk}"},
    )
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert outsider.pk not in ids and member.pk in ids


def test_deactivating_a_person_ends_their_api_sessions(client, superuser, member):
    token = _outstanding_refresh(member)
    client.force_login(superuser)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in {"password", "groups", "user_permissions"}
    }
    data.update({"is_active": "", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00"})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(reverse("admin:accounts_user_change", args=[member.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.is_active is False
    assert _is_blacklisted(token)
