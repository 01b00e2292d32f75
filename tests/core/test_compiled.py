"""Queries compiled once per shape (`IdsQuery`) answer what the ORM answers, and the task
filter set's shared form and shallow filter copies keep filter sets apart."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core.compiled import IdsQuery
from portal.tasks import services as task_services
from portal.tasks.custom_fields import fields_by_team
from portal.tasks.filters import TaskFilter, filter_tasks
from portal.tasks.models import CustomField, Task
from portal.tasks.selectors import task_links, tasks_visible_to
from portal.tasks.services.custom_fields import custom_field_create
from tests.factories import TagFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _orm_links(ids):
    tasks = Task.objects.filter(pk__in=ids).prefetch_related("assignees", "tags")
    return {
        t.pk: {
            "assignees": [{"id": u.pk, "username": u.username} for u in t.assignees.all()],
            "tags": [{"id": g.pk, "name": g.name, "color": g.color} for g in t.tags.all()],
        }
        for t in tasks
    }


def test_page_links_match_the_orm_for_every_number_of_tasks(team, lead, member, member2):
    tags = [TagFactory(name=n) for n in ("zeta", "Alpha", "beta")]
    made = [
        task_services.task_create(
            actor=lead,
            team=team,
            title=f"T{n}",
            assignees=[member, member2][: n % 3],
            tags=tags[: n % 4],
        )
        for n in range(7)
    ]
    ids = [t.pk for t in made]
    # Each size compiles its own SQL; the same size again reuses it with other ids.
    for chosen in (ids[:1], ids[:3], ids[3:6], ids, list(reversed(ids))):
        assert task_links(chosen) == _orm_links(chosen)
    assert task_links([]) == {}


def test_each_call_is_one_query_with_the_ids_given(team, lead):
    first = task_services.task_create(actor=lead, team=team, title="One", tags=[TagFactory()])
    second = task_services.task_create(actor=lead, team=team, title="Two")
    task_links([first.pk])  # compiled
    with CaptureQueriesContext(connection) as queries:
        links = task_links([second.pk])
    assert len(queries) == 1
    assert links == {second.pk: {"assignees": [], "tags": []}}


def test_definitions_are_the_orms_model_instances(team, lead, other_team):
    custom_field_create(
        actor=lead,
        team=team,
        name="Severity",
        key="severity",
        type="choice",
        choices=[{"label": "S1"}, {"label": "S2"}],
        order=2,
    )
    custom_field_create(actor=lead, team=team, name="Points", key="points", type="number", order=1)
    gone = custom_field_create(actor=lead, team=team, name="Old", key="old", type="text")
    CustomField.objects.filter(pk=gone.pk).update(is_archived=True)
    found = fields_by_team([team.pk, other_team.pk, TeamFactory().pk])
    expected = list(
        CustomField.objects.filter(team=team, is_archived=False).order_by("order", "id")
    )
    assert list(found) == [team.pk]
    got = found[team.pk]
    assert [f.pk for f in got] == [f.pk for f in expected]
    for mine, orm in zip(got, expected, strict=True):
        # JSON decoded, dates as datetimes, booleans as booleans, on every database.
        for f in CustomField._meta.concrete_fields:
            assert getattr(mine, f.attname) == getattr(orm, f.attname), f.name
        assert mine._state.adding is False and mine._state.db == "default"
    assert fields_by_team([]) == {}


def test_objects_refuses_a_queryset_that_is_not_plain():
    joined = IdsQuery(lambda ids: CustomField.objects.filter(pk__in=ids).select_related("team"))
    with pytest.raises(ValueError):
        joined.objects([1])


def test_filter_sets_share_the_form_but_not_their_filters(team, lead, member):
    mine = task_services.task_create(actor=lead, team=team, title="Mine", assignees=[member])
    task_services.task_create(actor=lead, team=team, title="Theirs", assignees=[lead])
    first = TaskFilter(data={"assignee": "me"}, queryset=Task.objects.all(), user=member)
    second = TaskFilter(data={"assignee": "me"}, queryset=Task.objects.all(), user=lead)
    assert type(first.form) is type(second.form)
    assert first.form.fields["status"] is second.form.fields["status"]
    assert first.filters["assignee"] is not second.filters["assignee"]
    assert [t.title for t in first.qs] == ["Mine"]
    assert [t.title for t in second.qs] == ["Theirs"]
    # The declared filters are left untouched (no filter set's parent on them).
    assert not hasattr(TaskFilter.base_filters["assignee"], "parent")
    assert list(
        filter_tasks(tasks_visible_to(fetched_by=member), user=member, filters={"assignee": "me"})
    ) == [mine]
