"""The task list at scale: its filters search people, tags and teams instead of listing them,
so the page stays small and its queries constant however many people and tasks there are;
the searched choices are scoped like everything else."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.tasks.admin.task import TaskAdmin
from portal.tasks.models import Task
from portal.teams.models import Membership, Role
from tests.factories import MembershipFactory, TagFactory

CHANGELIST = reverse("admin:tasks_task_changelist")
PAGE_LIMIT = 150 * 1024


def choices_url(parameter):
    return reverse(f"admin:tasks_task_choices_{parameter}")


@pytest.fixture
def hundred_per_page():
    original = TaskAdmin.list_per_page
    TaskAdmin.list_per_page = 100
    yield
    TaskAdmin.list_per_page = original


def _add_people(team, count, prefix):
    User = get_user_model()
    people = User.objects.bulk_create(
        [User(username=f"{prefix}{i:04d}", email=f"{prefix}{i}@example.org") for i in range(count)]
    )
    Membership.objects.bulk_create(
        [Membership(user=p, team=team, role=Role.MEMBER) for p in people]
    )
    return people


def _add_tasks(team, creator, count, people, tags):
    """Tasks as the list shows them: two assignees, one or two tags, some with a due date."""
    start = Task.objects.filter(team=team).count()
    now = timezone.now()
    rows = Task.objects.bulk_create(
        [
            Task(
                team=team,
                number=start + i + 1,
                title=f"Prepare the quarterly report {i}",
                created_by=creator,
                due_date=now + timedelta(days=i % 30 - 10) if i % 3 else None,
            )
            for i in range(count)
        ]
    )
    Task.assignees.through.objects.bulk_create(
        [
            Task.assignees.through(task_id=t.pk, user_id=people[(i + k) % len(people)].pk)
            for i, t in enumerate(rows)
            for k in (0, 1)
        ]
    )
    Task.tags.through.objects.bulk_create(
        [
            Task.tags.through(task_id=t.pk, tag_id=tags[(i + k) % len(tags)].pk)
            for i, t in enumerate(rows)
            for k in range(1 + i % 2)
        ]
    )


def _list(client, django_assert_max_num_queries, query=""):
    with django_assert_max_num_queries(30) as ctx:
        response = client.get(f"{CHANGELIST}{query}")
    assert response.status_code == 200
    return len(ctx.captured_queries), response


# --- constant queries and a small page --------------------------------------------------------
@pytest.mark.parametrize(
    "query", ["", "?assignee={person}&tag=tag-0&status=todo", "?team={team}&created_by={creator}"]
)
def test_list_queries_do_not_grow_with_people_or_tasks(
    client, team, member, hundred_per_page, django_assert_max_num_queries, query
):
    tags = [TagFactory(name=f"tag-{i}") for i in range(3)]
    people = _add_people(team, 5, "few")
    _add_tasks(team, member, 10, people, tags)
    client.force_login(member)
    values = {"person": people[0].pk, "team": team.pk, "creator": member.pk}
    few, small = _list(client, django_assert_max_num_queries, query.format(**values))
    people += _add_people(team, 295, "many")
    tags += [TagFactory(name=f"more-{i}") for i in range(40)]
    _add_tasks(team, member, 190, people, tags)
    many, big = _list(client, django_assert_max_num_queries, query.format(**values))
    # rows on both pages (an empty page skips the assignee and tag look-ups), more on the second
    assert 0 < len(small.context["cl"].result_list) < len(big.context["cl"].result_list)
    assert few == many


def test_page_with_500_people_and_100_rows_stays_small(
    client, team, member, hundred_per_page, django_assert_max_num_queries
):
    people = _add_people(team, 500, "person")
    tags = [TagFactory(name=f"tag-{i}", color="#336699") for i in range(60)]
    _add_tasks(team, member, 120, people, tags)
    client.force_login(member)
    _, response = _list(client, django_assert_max_num_queries)
    assert len(response.context["cl"].result_list) == 100
    html = response.content.decode()
    assert len(response.content) <= PAGE_LIMIT, f"{len(response.content) / 1024:.0f} KB"
    # nobody is listed in the filters: people appear only as the rows' assignees
    assert "person0499" not in html
    assert html.count('class="unfold-filter-autocomplete"') == 4  # team, assignee, creator, tag


# --- the searched choices ----------------------------------------------------------------------
def _choices(client, parameter, term="", page=None):
    query = {"term": term} if page is None else {"term": term, "page": page}
    response = client.get(choices_url(parameter), query)
    assert response.status_code == 200
    return response.json()


def _ids(data):
    return [row["id"] for row in data["results"]]


def test_assignee_choices_are_assignable_people_of_my_teams(
    client, team, other_team, lead, member, member2, viewer, outsider
):
    client.force_login(member)
    data = _choices(client, "assignee")
    # "me" and "none" first, then leads and members of my teams; no viewer, no outsider
    assert _ids(data)[:2] == ["me", "none"]
    assert set(_ids(data)[2:]) == {str(lead.pk), str(member.pk), str(member2.pk)}
    assert data["pagination"] == {"more": False}
    # searching by a name outside my teams finds nothing, not even through another field
    assert _ids(_choices(client, "assignee", outsider.username)) == []
    assert _ids(_choices(client, "assignee", "member2")) == [str(member2.pk)]
    assert _ids(_choices(client, "assignee", "unass")) == ["none"]
    # sharing a second team widens the choices to its people
    MembershipFactory(user=member, team=other_team, role=Role.VIEWER)
    assert str(outsider.pk) in _ids(_choices(client, "assignee", outsider.username))


def test_creator_and_team_choices_are_scoped(
    client, team, other_team, lead, member, viewer, outsider, superuser
):
    client.force_login(member)
    creators = set(_ids(_choices(client, "created_by")))
    assert creators == {str(lead.pk), str(member.pk), str(viewer.pk)}
    assert _ids(_choices(client, "team")) == [str(team.pk)]
    assert _ids(_choices(client, "team", other_team.key)) == []
    client.force_login(superuser)
    assert str(outsider.pk) in _ids(_choices(client, "created_by", "outsider"))
    assert set(_ids(_choices(client, "team"))) == {str(team.pk), str(other_team.pk)}


def test_tag_choices_leave_out_tags_only_other_teams_use(client, team, other_team, member):
    from portal.tasks.services import task_create

    mine, theirs, _ = (TagFactory(name=n) for n in ("ours", "secret-client", "fresh"))
    task_create(actor=member, team=team, title="Ours", tags=[mine])
    Task.objects.create(team=other_team, number=1, title="Theirs").tags.add(theirs)
    client.force_login(member)
    # a tag's value is its name, as in ?tag=ours
    assert set(_ids(_choices(client, "tag"))) == {"ours", "fresh"}
    assert _ids(_choices(client, "tag", "secret")) == []


def test_choices_come_twenty_at_a_time(client, team, member):
    _add_people(team, 45, "crowd")
    client.force_login(member)
    first = _choices(client, "assignee", "crowd")
    second = _choices(client, "assignee", "crowd", page=2)
    third = _choices(client, "assignee", "crowd", page=3)
    assert (len(first["results"]), len(second["results"]), len(third["results"])) == (20, 20, 5)
    assert first["pagination"]["more"] and not third["pagination"]["more"]
    assert "me" not in _ids(second)  # the fixed choices open the first page only


def test_chosen_value_shows_its_name_only_when_it_may_be_chosen(
    client, team, other_team, member, member2, outsider
):
    client.force_login(member)
    page = client.get(f"{CHANGELIST}?assignee={member2.pk}").content.decode()
    assert f'<option value="{member2.pk}" selected>member2</option>' in page
    # someone outside my teams: the list is empty and the box shows the id, not the name
    page = client.get(f"{CHANGELIST}?assignee={outsider.pk}").content.decode()
    assert f'<option value="{outsider.pk}" selected>{outsider.pk}</option>' in page
    assert "outsider" not in page
    # a team named by its key, as the dashboard's and old links do
    page = client.get(f"{CHANGELIST}?team=ops").content.decode()
    assert '<option value="ops" selected>Operations (OPS)</option>' in page


def test_choices_need_a_person_who_may_see_the_list(client, member, django_user_model):
    response = client.get(choices_url("assignee"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(django_user_model.objects.create_user("loner", password="x"))
    assert client.get(choices_url("assignee")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "9" * 30},
        {"term": "x" * 5000},
        {"term": "%_\\'\""},
    ],
)
def test_hostile_choice_requests_get_no_server_error(client, member, query):
    client.force_login(member)
    response = client.get(choices_url("assignee"), query)
    assert response.status_code in (200, 404)


@pytest.mark.parametrize(
    ("value", "status"),
    [("9" * 30, 200), ("abc", 200), ("-1", 200), ("١٢", 200), ("none ", 200), ("a\x00b", 400)],
)
def test_hostile_chosen_values_get_no_server_error(client, member, value, status):
    client.force_login(member)
    for name in ("assignee", "created_by", "team", "tag"):
        response = client.get(CHANGELIST, {name: value})
        assert response.status_code == status, (name, value)


def test_show_counts_works_with_searched_filters(client, team, member, member2, filter_world):
    client.force_login(member)
    query = f"?_facets=True&assignee={member2.pk}&team={team.key}&tag=billing&status=todo"
    assert client.get(f"{CHANGELIST}{query}").status_code == 200


@pytest.mark.parametrize("parameter", ["assignee", "created_by", "team", "tag"])
def test_a_page_of_choices_costs_the_same_with_few_or_many_people_and_tasks(
    client, team, member, parameter
):
    def cost():
        with CaptureQueriesContext(connection) as ctx:
            data = _choices(client, parameter)
        return len(ctx.captured_queries), len(data["results"])

    tags = [TagFactory(name=f"tag{i}") for i in range(3)]
    _add_tasks(team, member, 5, _add_people(team, 3, "few"), tags)
    client.force_login(member)
    few, shown_few = cost()
    tags += [TagFactory(name=f"more{i}") for i in range(30)]
    _add_tasks(team, member, 200, _add_people(team, 120, "many"), tags)
    many, shown_many = cost()
    assert shown_many >= shown_few  # the bigger set really offers more (or a full page)
    assert few == many
