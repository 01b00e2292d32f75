"""Creating a task from the team pages: members and leads, fields as the model names them."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from portal.pages.forms import PARENT_UNKNOWN, add_service_errors
from portal.pages.views.task import TASK_CREATED
from portal.tasks import permissions as task_perms
from portal.tasks.due import DUE_INVALID, DUE_OUT_OF_RANGE
from portal.tasks.models import Task
from portal.tasks.services import task_create
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db
NEW = "/teams/operations/tasks/new/"


def test_members_and_leads_get_the_form_viewers_403_outsiders_404(client, team, people):
    for role, status in [("member", 200), ("lead", 200), ("viewer", 403), ("outsider", 404)]:
        client.force_login(people[role])
        assert client.get(NEW).status_code == status, role
    client.force_login(people["viewer"])
    response = client.post(NEW, {"title": "Sneaky", "status": "todo", "priority": "low"})
    assert response.status_code == 403
    assert task_perms.DENIED_CREATE_TASK in response.content.decode()
    assert not Task.objects.exists()


def test_the_form_names_fields_as_the_model_and_offers_only_the_team(
    client, team, member, member2, outsider
):
    client.force_login(member)
    form = client.get(NEW).context["form"]
    assert list(form.fields) == [
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "estimated_hours",
        "actual_hours",
        "assignees",
        "tags",
        "parent",
        "repeat",
        "new_tags",
    ]
    assert set(form.fields["assignees"].queryset) == {member, member2}
    assert outsider not in form.fields["assignees"].queryset


def test_creating_a_task(client, team, member, member2, htmx):
    parent = task_create(actor=member, team=team, title="Parent")
    tag = TagFactory(name="infra")
    client.force_login(member)
    response = client.post(
        NEW,
        {
            "title": "  Rotate the keys  ",
            "description": "Every quarter.",
            "status": "in_progress",
            "priority": "high",
            "due_date_0": "2030-01-31",
            "due_date_1": "09:00",
            "estimated_hours": "2.5",
            "assignees": [member2.pk],
            "tags": [tag.pk],
            "parent": "ops-1",
        },
    )
    task = Task.objects.get(number=2)
    assert response.status_code == 302 and response["Location"] == "/teams/operations/tasks/2/"
    assert (task.title, task.status, task.priority, task.parent) == (
        "Rotate the keys",
        "in_progress",
        "high",
        parent,
    )
    assert str(task.estimated_hours) == "2.50" and task.due_date.year == 2030
    assert list(task.assignees.all()) == [member2] and list(task.tags.all()) == [tag]
    assert task.created_by == member and task.history.get().history_user == member
    page = client.get(response["Location"])
    assert TASK_CREATED.format(key="OPS-2") in page.content.decode()


def test_a_parent_given_by_number_works(client, team, member):
    task_create(actor=member, team=team, title="Parent")
    client.force_login(member)
    client.post(NEW, {"title": "Child", "status": "todo", "priority": "low", "parent": "1"})
    assert Task.objects.get(number=2).parent.number == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "Ensure this value has at most 200 characters"),
        ({"status": "finished"}, "status", "Select a valid choice."),
        ({"due_date_0": "soon"}, "due_date", "Enter a valid date."),
        ({"due_date_1": "09:00"}, "due_date", "Enter the day too, or leave the time empty."),
        ({"due_date_0": "1900-01-01"}, "due_date", DUE_OUT_OF_RANGE),
        ({"estimated_hours": "-1"}, "estimated_hours", "Hours cannot be negative."),
        ({"estimated_hours": "1e999"}, "estimated_hours", "Enter at most 9999.99 hours."),
        ({"estimated_hours": "12345"}, "estimated_hours", "Enter at most 9999.99 hours."),
        ({"estimated_hours": "1.255"}, "estimated_hours", "at most two decimals"),
        ({"actual_hours": "NaN"}, "actual_hours", "Enter a number of hours, such as 1.5."),
        ({"parent": "DES-1"}, "parent", PARENT_UNKNOWN.format(key="OPS")),
        ({"parent": "OPS-99999999999999999999"}, "parent", PARENT_UNKNOWN.format(key="OPS")),
        ({"assignees": ["999999"]}, "assignees", "Select a valid choice."),
    ],
)
def test_errors_appear_next_to_their_field_and_nothing_is_created(
    client, team, other_team, member, outsider, data, field, message
):
    task_create(actor=outsider, team=other_team, title="Their task")
    client.force_login(member)
    response = client.post(NEW, {"title": "Fine", "status": "todo", "priority": "low", **data})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Task.objects.filter(team=team).exists()


def test_every_error_shows_on_the_first_submit(client, team, member):
    client.force_login(member)
    data = {"title": "", "status": "todo", "priority": "low", "estimated_hours": "-1"}
    response = client.post(NEW, {**data, "actual_hours": "12345"})
    assert response.context["form"].errors == {
        "title": ["This field is required."],
        "estimated_hours": ["Hours cannot be negative."],
        "actual_hours": ["Enter at most 9999.99 hours."],
    }
    assert not Task.objects.exists()


def test_service_errors_land_on_their_fields():
    class Form(forms.Form):
        title = forms.CharField()

    form = Form({"title": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"title": "Too late.", "metadata": "Not JSON."}))
    assert form.errors == {"title": ["Too late."], "__all__": ["Not JSON."]}
    other = Form({"title": "x"})
    other.is_valid()
    add_service_errors(other, ValidationError("Something else."))
    assert other.non_field_errors() == ["Something else."]


def test_a_due_date_the_database_cannot_store_is_a_field_error(client, team, member, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    client.force_login(member)
    data = {"title": "Far", "status": "todo", "priority": "low"}
    data |= {"due_date_0": "9999-12-31", "due_date_1": "23:00"}
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"due_date": [DUE_INVALID]}
    task = task_create(actor=member, team=team, title="Near")
    edited = client.post(f"/teams/operations/tasks/{task.number}/edit/", data)
    assert edited.status_code == 200 and DUE_INVALID in edited.content.decode()


def test_a_day_without_a_time_is_the_due_day(client, team, member):
    client.force_login(member)
    data = {"title": "Gift", "status": "todo", "priority": "low", "due_date_0": "2030-12-24"}
    client.post(NEW, data)
    task = Task.objects.get(title="Gift")
    assert str(task.due_day) == "2030-12-24"
    page = client.get(f"/teams/operations/tasks/{task.number}/").content.decode()
    # The quick edit shows the day as given, with an empty time.
    assert 'name="due_date_0" value="2030-12-24"' in page
    assert 'name="due_date_1"' in page and "23:59" not in page


def test_a_new_task_can_bring_new_tags(client, team, member):
    client.force_login(member)
    data = {"title": "Tagged", "status": "todo", "priority": "low", "new_tags": "infra, ux"}
    response = client.post(NEW, data)
    assert response.status_code == 302
    task = Task.objects.get(title="Tagged")
    assert sorted(t.name for t in task.tags.all()) == ["infra", "ux"]
