"""Custom fields in the admin: defined on the team's page, filled on the task's."""

import pytest
from django.urls import reverse

from portal.tasks import custom_fields as cf
from portal.tasks import custom_show
from portal.tasks.models import CustomField, Task
from portal.tasks.services import task_create
from tests.tasks.custom_field_cases import define
from tests.teams.test_admin import current_rows, members_post

pytestmark = pytest.mark.django_db


def fields_post(team, rows):
    data = members_post(team, current_rows(team))
    data["custom_fields-TOTAL_FORMS"] = str(len(rows))
    data["custom_fields-INITIAL_FORMS"] = str(sum(1 for r in rows if r.get("id")))
    for i, row in enumerate(rows):
        base = {"order": "0", "decimals": "0", "type": "text", "team": team.pk}
        for key, value in {**base, **row}.items():
            data[f"custom_fields-{i}-{key}"] = value
    return data


def test_lead_defines_a_choice_field_and_renames_a_choice(client, team, lead, member):
    client.force_login(lead)
    url = reverse("admin:teams_team_change", args=[team.pk])
    row = {"name": "Severity", "key": "severity", "type": "choice", "choices_lines": "S1\nS2"}
    response = client.post(url, fields_post(team, [row]))
    assert response.status_code == 302, response.context["errors"]
    field = CustomField.objects.get(team=team, key="severity")
    s1, s2 = field.choices
    task = task_create(actor=member, team=team, title="T", custom_fields={"severity": "S2"})
    renamed = {
        "id": field.pk,
        **row,
        "choices_lines": f"S1 [{s1['id']}]\nMajor [{s2['id']}]",
    }
    response = client.post(url, fields_post(team, [renamed]))
    assert response.status_code == 302, response.context["errors"]
    task.refresh_from_db()
    assert custom_show.api_values(cf.fields_of(team.pk), task.custom_fields)["severity"] == "Major"


def test_deleting_a_field_with_values_asks_to_confirm(client, team, lead, member):
    client.force_login(lead)
    fields = define(team, lead)
    task_create(actor=member, team=team, title="T", custom_fields={"note": "x"})
    url = reverse("admin:teams_team_change", args=[team.pk])
    rows = [
        {"id": f.pk, "name": f.name, "key": f.key, "type": f.type, "order": f.order,
         "decimals": f.decimals, "unit": f.unit,
         "choices_lines": "\n".join(f"{c['label']} [{c['id']}]" for c in f.choices)}
        for f in fields.values()
    ]  # fmt: skip
    rows[0]["DELETE"] = "on"
    response = client.post(url, fields_post(team, rows))
    assert response.status_code == 200
    assert "Confirm" in str(response.context["inline_admin_formsets"][1].formset.non_form_errors())
    rows[0]["confirm_delete"] = "on"
    response = client.post(url, fields_post(team, rows))
    assert response.status_code == 302, response.context["errors"]
    assert not CustomField.objects.filter(team=team, key="note").exists()


def test_members_cannot_change_definitions(client, team, lead, member):
    client.force_login(member)
    url = reverse("admin:teams_team_change", args=[team.pk])
    response = client.post(url, fields_post(team, [{"name": "X", "key": "x"}]))
    assert response.status_code == 403
    assert not CustomField.objects.filter(team=team).exists()


def test_task_form_shows_and_saves_the_teams_fields(client, team, lead, member):
    define(team, lead)
    task = task_create(actor=member, team=team, title="T", custom_fields={"severity": "S1"})
    client.force_login(member)
    url = reverse("admin:tasks_task_change", args=[task.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert "cf_severity" in form.fields
    assert form.initial["cf_severity"] == task.custom_fields["severity"]
    from tests.tasks.test_admin import form_data

    s2 = CustomField.objects.get(team=team, key="severity").choices[1]["id"]
    data = form_data(task, cf_severity=s2, cf_points="2.55", cf_note="n")
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["cf_points"] == [
        cf.NUMBER_DECIMALS.format(name="Points", decimals=1)
    ]
    data["cf_points"] = "2.5"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.custom_fields == {"severity": s2, "points": 2.5, "note": "n"}
    assert Task.history.filter(id=task.pk).count() == 2


def test_task_list_filters_by_a_choice_field(client, team, lead, member):
    define(team, lead)
    task_create(actor=member, team=team, title="One", custom_fields={"severity": "S1"})
    task_create(actor=member, team=team, title="Two", custom_fields={"severity": "S2"})
    client.force_login(member)
    url = reverse("admin:tasks_task_changelist")
    page = client.get(url)
    assert "cf_severity" in page.content.decode()
    listed = client.get(url, {"cf_severity": "s1"})
    assert [t.title for t in listed.context["cl"].result_list] == ["One"]


def test_task_list_shows_the_custom_fields_chosen_as_columns(
    client, team, lead, member, member2, other_team, outsider
):
    from portal.tasks.services import custom_field_create

    define(team, lead)
    custom_field_create(actor=outsider, team=other_team, name="Budget", key="budget")
    task_create(
        actor=member,
        team=team,
        title="One",
        custom_fields={"severity": "S2", "points": 2.5, "owner": "member2"},
    )
    client.force_login(member)
    url = reverse("admin:tasks_task_changelist")
    page = client.get(url).content.decode()
    # Offered in the filter panel, the other team's field not among them; no column yet.
    assert 'name="columns" value="severity"' in page
    assert 'value="budget"' not in page
    assert "column-cf_column_severity" not in page
    listed = client.get(f"{url}?columns=severity&columns=points&columns=owner&columns=budget")
    assert listed.status_code == 200
    html = listed.content.decode()
    for key in ("severity", "points", "owner"):
        assert f"column-cf_column_{key}" in html, key
    assert "column-cf_column_budget" not in html
    row = html.split('class="field-cf_column_severity')[1].split("</td>")[0]
    assert "S2" in row
    assert "2.5 pt" in html.split('class="field-cf_column_points')[1].split("</td>")[0]
    assert "member2" in html.split('class="field-cf_column_owner')[1].split("</td>")[0]


def test_custom_columns_cost_the_same_queries_for_more_rows(
    client, team, lead, member, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    define(team, lead)
    url = reverse("admin:tasks_task_changelist") + "?columns=severity&columns=owner"
    client.force_login(member)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    task_create(actor=member, team=team, title="A", custom_fields={"owner": "member"})
    small = count()
    for n in range(30):
        task_create(
            actor=member,
            team=team,
            title=f"T{n}",
            custom_fields={"severity": "S1", "owner": "lead"},
        )
    assert count() == small
