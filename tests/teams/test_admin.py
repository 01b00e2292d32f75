"""Team admin: leads manage their own team's members; only superusers create/delete teams."""

import pytest
from django.urls import reverse

from portal.teams.models import Membership, Role, Team
from tests.factories import UserFactory


def members_post(team, rows, **extra):
    data = {
        "name": team.name,
        "slug": team.slug,
        "key": team.key,
        "description": team.description,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{i}-{key}"] = value
        data[f"memberships-{i}-team"] = team.pk
    data.update(extra)
    return data


def current_rows(team):
    return [
        {"id": m.pk, "user": m.user_id, "role": m.role}
        for m in Membership.objects.filter(team=team).order_by("pk")
    ]


def test_lead_adds_and_changes_members(client, team, lead, member):
    newcomer = UserFactory(username="newcomer")
    client.force_login(lead)
    url = reverse("admin:teams_team_change", args=[team.pk])
    rows = current_rows(team)
    for row in rows:
        if row["user"] == member.pk:
            row["role"] = Role.VIEWER
    rows.append({"user": newcomer.pk, "role": Role.MEMBER})
    response = client.post(url, members_post(team, rows))
    assert response.status_code == 302, response.context["errors"]
    assert Membership.objects.get(team=team, user=member).role == Role.VIEWER
    added = Membership.objects.get(team=team, user=newcomer)
    assert added.history.first().history_user == lead


def test_lead_cannot_remove_the_last_lead(client, team, lead, member):
    client.force_login(lead)
    rows = current_rows(team)
    for row in rows:
        row["role"] = Role.MEMBER
    response = client.post(
        reverse("admin:teams_team_change", args=[team.pk]), members_post(team, rows)
    )
    assert response.status_code == 200
    assert Membership.objects.get(team=team, user=lead).role == Role.LEAD


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_cannot_change_the_team(client, people, team, role):
    client.force_login(people[role])
    url = reverse("admin:teams_team_change", args=[team.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    response = client.post(url, members_post(team, current_rows(team), name="Renamed"))
    assert response.status_code == 403
    assert Team.objects.get(pk=team.pk).name == team.name


def test_only_superusers_add_teams(client, lead, superuser):
    client.force_login(lead)
    assert client.get(reverse("admin:teams_team_add")).status_code == 403
    client.force_login(superuser)
    response = client.post(
        reverse("admin:teams_team_add"),
        {
            "name": "Data",
            "slug": "data",
            "key": "DAT",
            "description": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert Team.objects.filter(key="DAT").exists()


def test_outsider_cannot_open_team(client, outsider, team):
    client.force_login(outsider)
    assert client.get(reverse("admin:teams_team_change", args=[team.pk])).status_code == 404
    listing = client.get(reverse("admin:teams_team_changelist"))
    assert team not in listing.context["cl"].result_list


def _grow(team, lead, people, tasks):
    from portal.tasks.models import Task
    from tests.factories import MembershipFactory

    for _ in range(people):
        MembershipFactory(team=team)
    start = Task.objects.filter(team=team).count()
    Task.objects.bulk_create(
        Task(team=team, number=start + i + 1, title=f"t{i}", created_by=lead) for i in range(tasks)
    )


def test_team_list_counts_and_queries_constant(
    client, team, other_team, lead, django_assert_max_num_queries
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=lead, team=other_team, role="viewer")
    client.force_login(lead)
    url = reverse("admin:teams_team_changelist")
    _grow(team, lead, 2, 3)
    with django_assert_max_num_queries(12) as few:
        response = client.get(url)
    assert response.status_code == 200
    counts = {t.key: (t.members, t.open_task_count) for t in response.context["cl"].result_list}
    assert counts == {"OPS": (3, 3), "DES": (1, 0)}
    _grow(team, lead, 20, 300)
    with django_assert_max_num_queries(12) as many:
        response = client.get(url)
    counts = {t.key: (t.members, t.open_task_count) for t in response.context["cl"].result_list}
    assert counts == {"OPS": (23, 303), "DES": (1, 0)}
    assert len(few.captured_queries) == len(many.captured_queries)


def test_existing_member_cannot_be_swapped_for_another_person(client, team, lead, member):
    stranger = UserFactory(username="stranger")
    client.force_login(lead)
    rows = current_rows(team)
    for row in rows:
        if row["user"] == member.pk:
            row["user"] = stranger.pk
    client.post(reverse("admin:teams_team_change", args=[team.pk]), members_post(team, rows))
    assert Membership.objects.filter(team=team, user=member).exists()
    assert not Membership.objects.filter(team=team, user=stranger).exists()


def test_lead_can_find_a_newcomer_to_add(client, team, lead, member):
    newcomer = UserFactory(username="newcomer")
    query = {"app_label": "teams", "model_name": "membership", "field_name": "user", "term": "new"}
    client.force_login(lead)
    found = client.get(reverse("admin:autocomplete"), query).json()["results"]
    assert [int(r["id"]) for r in found] == [newcomer.pk]
    client.force_login(member)  # members add nobody, so they search only fellow members
    response = client.get(reverse("admin:autocomplete"), query)
    assert response.json()["results"] == []
