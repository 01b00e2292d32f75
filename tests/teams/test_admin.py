"""Team admin: leads manage their own team's members; only superusers create/delete teams."""

import pytest
from django.urls import reverse

from portal.teams.models import ALREADY_MEMBER, Membership, Role, Team
from tests.factories import UserFactory


def members_post(team, rows, **extra):
    data = {
        "name": team.name,
        "slug": team.slug,
        "key": team.key,
        "time_zone": team.time_zone,
        "description": team.description,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        # The custom fields' inline (none here: tests/tasks/test_custom_fields_admin.py).
        "custom_fields-TOTAL_FORMS": "0",
        "custom_fields-INITIAL_FORMS": "0",
        "custom_fields-MIN_NUM_FORMS": "0",
        "custom_fields-MAX_NUM_FORMS": "1000",
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
            "time_zone": "Europe/Berlin",
            "description": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert Team.objects.get(key="DAT").time_zone == "Europe/Berlin"


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


# --- one save judged as a whole ----------------------------------------------------------------
def _save_rows(client, team, change):
    rows = current_rows(team)
    for row in rows:
        change(row)
    return client.post(reverse("admin:teams_team_change", args=[team.pk]), members_post(team, rows))


def _roles(team):
    return dict(Membership.objects.filter(team=team).values_list("user__username", "role"))


@pytest.fixture
def aaron(team):
    # Sorts before "lead": the rows reach the server in username order.
    user = UserFactory(username="aaron")
    Membership.objects.create(team=team, user=user, role=Role.MEMBER)
    return user


def test_lead_hands_the_role_over_in_one_save(client, team, lead, aaron, member):
    client.force_login(lead)

    def hand_over(row):
        if row["user"] == lead.pk:
            row["role"] = Role.MEMBER
        elif row["user"] in (aaron.pk, member.pk):
            row["role"] = Role.LEAD

    response = _save_rows(client, team, hand_over)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert _roles(team) == {"aaron": "lead", "lead": "member", "member": "lead"}


def test_lead_leaves_and_promotes_someone_in_one_save(client, team, lead, aaron, member):
    client.force_login(lead)

    def leave(row):
        if row["user"] == lead.pk:
            row["DELETE"] = "on"
        elif row["user"] == aaron.pk:
            row["role"] = Role.LEAD
        elif row["user"] == member.pk:
            row["DELETE"] = "on"  # the lead's last changes still count

    response = _save_rows(client, team, leave)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert _roles(team) == {"aaron": "lead"}


def test_lead_adds_a_new_lead_and_steps_down_in_one_save(client, team, lead, member):
    newcomer = UserFactory(username="aardvark")
    client.force_login(lead)
    rows = current_rows(team)
    for row in rows:
        if row["user"] == lead.pk:
            row["role"] = Role.VIEWER
    rows.append({"user": newcomer.pk, "role": Role.LEAD})
    response = client.post(
        reverse("admin:teams_team_change", args=[team.pk]), members_post(team, rows)
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert _roles(team) == {"aardvark": "lead", "lead": "viewer", "member": "member"}


def test_a_save_that_ends_without_a_lead_is_a_form_error(client, team, lead, aaron):
    from portal.teams.services import LAST_LEAD

    client.force_login(lead)
    response = _save_rows(client, team, lambda row: row.update(DELETE="on"))
    assert response.status_code == 200
    assert LAST_LEAD in response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert _roles(team) == {"aaron": "member", "lead": "lead"}


def test_a_row_of_another_team_is_a_form_error(client, team, lead, member, outsider):
    from portal.adminsite.teams import ROW_NOT_IN_TEAM

    theirs = Membership.objects.get(user=outsider)
    client.force_login(lead)
    rows = current_rows(team)
    for row in rows:
        if row["user"] == member.pk:
            row["id"] = theirs.pk
            row["role"] = Role.VIEWER
    response = client.post(
        reverse("admin:teams_team_change", args=[team.pk]), members_post(team, rows)
    )
    assert response.status_code == 200
    assert ROW_NOT_IN_TEAM in response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert Membership.objects.get(pk=theirs.pk).role == Role.LEAD
    assert _roles(team) == {"lead": "lead", "member": "member"}


def test_removing_and_adding_the_same_person_is_a_form_error(client, team, lead, member):
    client.force_login(lead)
    rows = current_rows(team)
    for row in rows:
        if row["user"] == member.pk:
            row["DELETE"] = "on"
    rows.append({"user": member.pk, "role": Role.VIEWER})
    response = client.post(
        reverse("admin:teams_team_change", args=[team.pk]), members_post(team, rows)
    )
    assert response.status_code == 200
    new_row = response.context["inline_admin_formsets"][0].formset.forms[-1]
    assert new_row.non_field_errors() == [ALREADY_MEMBER]
    assert _roles(team) == {"lead": "lead", "member": "member"}


@pytest.mark.parametrize("total", [150, 2**63])
def test_a_tampered_row_count_builds_at_most_a_hundred_new_rows(client, team, lead, total):
    from portal.adminkit.fields import NEW_ROWS_PER_SAVE, TOO_MANY_ROWS

    client.force_login(lead)
    data = members_post(team, current_rows(team))
    data["memberships-TOTAL_FORMS"] = str(total)
    response = client.post(reverse("admin:teams_team_change", args=[team.pk]), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.forms) <= 1 + NEW_ROWS_PER_SAVE
    if total == 150:
        assert formset.non_form_errors() == [TOO_MANY_ROWS.format(limit=NEW_ROWS_PER_SAVE)]
