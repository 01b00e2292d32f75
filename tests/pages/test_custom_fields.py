"""Custom fields on the team pages: the new-task and edit forms, the list's filters, cards."""

import pytest

from portal.tasks.models import CustomField, Task
from portal.tasks.services import custom_field_update, task_create, task_update
from tests.tasks.custom_field_cases import CASES, define, expected

pytestmark = pytest.mark.django_db
NEW = "/teams/operations/tasks/new/"
LIST = "/teams/operations/tasks/"
BOARD = "/teams/operations/"


@pytest.fixture
def fields(team, lead):
    return define(team, lead)


BASE = {"title": "T", "status": "todo", "priority": "medium"}


def _form_value(case, fields, people):
    """What a browser sends for the case: choice ids for choice fields, the person's id."""
    field = fields[case.key]
    given = case.given
    if field.type in ("choice", "multi_choice"):
        labels = given if isinstance(given, list) else [given]
        ids = {c["label"].lower(): c["id"] for c in field.choices}
        picked = [ids.get(str(label).lower(), label) for label in labels]
        return picked if field.type == "multi_choice" else picked[0]
    if field.type == "person":
        return str(people[given].pk) if given in people else "999999"
    if field.type == "checkbox":
        return "on" if case.error is None else given
    return case.text if case.text is not None else given


# A checkbox sends "on" or nothing: no form can send it a word it would refuse.
FORM_CASES = [c for c in CASES if not (c.key == "billable" and c.error)]


@pytest.mark.parametrize("case", FORM_CASES, ids=lambda c: c.id)
def test_new_task_form_reads_each_type(case, client, team, member, people, fields):
    client.force_login(member)
    response = client.post(NEW, {**BASE, f"cf_{case.key}": _form_value(case, fields, people)})
    if case.error:
        assert response.status_code == 200
        errors = response.context["form"].errors[f"cf_{case.key}"]
        # Choice and person pickers refuse values they do not offer in Django's words.
        if fields[case.key].type in ("choice", "multi_choice", "person", "checkbox"):
            assert errors
        else:
            assert errors == [case.error]
        assert not Task.objects.exists()
    else:
        assert response.status_code == 302, response.context["form"].errors
        task = Task.objects.get()
        assert task.custom_fields == {case.key: expected(case, fields, people)}


def test_form_shows_fields_after_the_built_in_ones(client, team, member, fields):
    client.force_login(member)
    form = client.get(NEW).context["form"]
    assert list(form.fields)[-len(fields) :] == [f"cf_{key}" for key in fields]
    page = client.get(NEW).content.decode()
    assert 'name="cf_severity"' in page


def test_edit_changes_only_what_was_changed(client, team, member, fields, people):
    task = task_create(
        actor=member, team=team, title="T", custom_fields={"note": "a", "severity": "S1"}
    )
    client.force_login(member)
    page = client.get(f"{LIST}{task.number}/")
    form = page.context["edit_form"]
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is None:
            continue
        if name in ("assignees", "tags"):
            value = [getattr(v, "pk", v) for v in value]
        data[name] = value
        data[f"initial-{name}"] = value
    data["due_date"] = ""
    data["cf_note"] = "changed"
    # Someone else changes the severity meanwhile: the page's save keeps it.
    task_update(actor=people["lead"], task=task, custom_fields={"severity": "S3"})
    response = client.post(f"{LIST}{task.number}/edit/", data)
    assert response.status_code == 302, response.context["edit_form"].errors
    task.refresh_from_db()
    s3 = next(c["id"] for c in fields["severity"].choices if c["label"] == "S3")
    assert task.custom_fields == {"note": "changed", "severity": s3}
    history = client.get(f"{LIST}{task.number}/").content.decode()
    assert "Severity" in history and "S1" in history and "S3" in history


def test_list_filters_by_custom_fields(client, team, member, fields):
    task_create(actor=member, team=team, title="Sev one", custom_fields={"severity": "S1"})
    task_create(actor=member, team=team, title="Sev two", custom_fields={"severity": "S2"})
    client.force_login(member)
    page = client.get(LIST, {"cf_severity": "S1"}).content.decode()
    assert "Sev one" in page and "Sev two" not in page
    bad = client.get(LIST, {"cf_severity": "S9"})
    assert bad.status_code in (200, 400)
    assert "Severity: choose one of S1, S2, S3" in bad.content.decode()


def test_board_cards_show_fields_marked_for_cards(client, team, member, fields):
    task_create(
        actor=member,
        team=team,
        title="Carded",
        custom_fields={"severity": "S2", "note": "Quietly noted"},
    )
    client.force_login(member)
    page = client.get(BOARD).content.decode()
    assert "Severity: S2" in page
    assert "Quietly noted" not in page  # the note is not marked for cards
    custom_field_update(
        actor=CustomField.objects.get(key="severity").team.memberships.get(role="lead").user,
        field=fields["severity"],
        is_archived=True,
    )
    assert "Severity: S2" not in client.get(BOARD).content.decode()


def test_list_offers_a_filter_per_field(client, team, member, fields):
    task_create(actor=member, team=team, title="Big", custom_fields={"points": 8})
    task_create(actor=member, team=team, title="Small", custom_fields={"points": 1})
    client.force_login(member)
    response = client.get(LIST, {"cf_points__gte": "5", "ordering": "-cf_points"})
    page = response.content.decode()
    assert 'name="cf_severity"' in page and 'name="cf_points__gte"' in page
    assert "Big" in page and "Small" not in page
    assert ("cf_points", "Points") in response.context["orderings"]


def test_task_page_lists_the_values_for_viewers_too(client, team, member, viewer, fields):
    task = task_create(
        actor=member, team=team, title="T", custom_fields={"points": 2.5, "owner": "member"}
    )
    client.force_login(viewer)
    page = client.get(f"{LIST}{task.number}/").content.decode()
    assert "<dt>Points</dt><dd>2.5 pt</dd>" in page
    assert "<dt>Owner</dt><dd>member</dd>" in page
