"""The task admin: every page answers, roles decide what each person sees and may do,
writes go through the services, and list pages cost a constant number of queries."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from portal.tasks import permissions as task_perms
from portal.tasks.admin.autocomplete import FOLLOWS_TEAM_ATTR
from portal.tasks.admin.forms import NEW_COMMENT_HELP, NEW_COMMENT_LABEL
from portal.tasks.admin.task_actions import BULK_CHANGED, BULK_REFUSED
from portal.tasks.models import Comment, Status, Task
from portal.tasks.services import comment_add, task_create
from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory

CHANGELIST = reverse("admin:tasks_task_changelist")


def change_url(task):
    return reverse("admin:tasks_task_change", args=[task.pk])


@pytest.fixture
def tasks(team, other_team, lead, member, member2, outsider):
    tag = TagFactory(name="infra")
    mine = task_create(actor=member, team=team, title="Mine", assignees=[member], tags=[tag])
    theirs = task_create(actor=member2, team=team, title="Theirs")
    foreign = task_create(actor=outsider, team=other_team, title="Secret plan")
    comment_add(actor=member, task=mine, body="on it")
    return {"mine": mine, "theirs": theirs, "foreign": foreign, "tag": tag}


def login(client, user):
    client.force_login(user)
    return client


# --- superuser: every page of every registered model answers ----------------------------------
SUPERUSER_PAGES = [
    "admin:index",
    "admin:tasks_task_changelist",
    "admin:tasks_task_add",
    "admin:tasks_tag_changelist",
    "admin:tasks_tag_add",
    "admin:tasks_comment_changelist",
    "admin:teams_team_changelist",
    "admin:teams_team_add",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
]


@pytest.mark.parametrize("name", SUPERUSER_PAGES)
def test_superuser_pages(client, superuser, tasks, name):
    assert login(client, superuser).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("query", ["o=1", "o=-5", "o=8", "o=-7"])
def test_task_changelist_sorting(client, superuser, tasks, query):
    response = login(client, superuser).get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {
        tasks["mine"],
        tasks["theirs"],
        tasks["foreign"],
    }


def test_superuser_object_pages(client, superuser, tasks, team):
    client = login(client, superuser)
    comment = Comment.objects.first()
    for url in [
        change_url(tasks["mine"]),
        reverse("admin:tasks_task_history", args=[tasks["mine"].pk]),
        reverse("admin:tasks_tag_change", args=[tasks["tag"].pk]),
        reverse("admin:tasks_comment_change", args=[comment.pk]),
        reverse("admin:tasks_comment_history", args=[comment.pk]),
        reverse("admin:teams_team_change", args=[team.pk]),
        reverse("admin:accounts_user_change", args=[superuser.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_search_by_key_finds_the_task(client, member, tasks):
    response = login(client, member).get(f"{CHANGELIST}?q=OPS-1")
    assert list(response.context["cl"].result_list) == [tasks["mine"]]


def test_archived_hidden_by_default(client, member, tasks):
    from portal.tasks.services import task_archive

    task_archive(actor=member, task=tasks["mine"])
    client = login(client, member)
    assert tasks["mine"] not in client.get(CHANGELIST).context["cl"].result_list
    archived = client.get(f"{CHANGELIST}?is_archived=true").context["cl"].result_list
    assert list(archived) == [tasks["mine"]]


# --- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_team_roles_see_only_their_team(client, people, tasks, role):
    response = login(client, people[role]).get(f"{CHANGELIST}?is_archived=all")
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {tasks["mine"], tasks["theirs"]}


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_other_teams_objects_are_404(client, people, tasks, role):
    client = login(client, people[role])
    foreign = tasks["foreign"]
    for url in [
        change_url(foreign),
        reverse("admin:tasks_task_history", args=[foreign.pk]),
        reverse("admin:tasks_task_delete", args=[foreign.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Secret plan" not in response.content
    assert b"Secret plan" not in client.get(CHANGELIST, follow=True).content


def test_viewer_gets_read_only_form_and_no_actions(client, viewer, tasks):
    client = login(client, viewer)
    response = client.get(change_url(tasks["mine"]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert response.context["has_change_permission"] is False
    assert client.get(reverse("admin:tasks_task_add")).status_code == 403
    changelist = client.get(CHANGELIST)
    # Reading is all a viewer may do: exporting the selected rows is the only action.
    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert [name for name in actions if name] == ["export_admin_action"]
    response = client.post(change_url(tasks["mine"]), {"title": "hijack"})
    assert response.status_code == 403
    assert Task.objects.get(pk=tasks["mine"].pk).title == "Mine"


def test_outsider_without_team_gets_explanation(client, django_user_model, tasks):
    loner = django_user_model.objects.create_user("loner", "loner@example.com", "Xx-1234567!")
    response = login(client, loner).get(reverse("admin:index"))
    assert response.status_code == 403
    assert b"not in any team" in response.content


def test_member_can_sign_in_through_the_admin_form(client, member):
    member.set_password("Sunny-Harbour-2026!")
    member.save()
    response = client.post(
        reverse("admin:login"),
        {"username": member.email, "password": "Sunny-Harbour-2026!", "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


# --- writes go through the services --------------------------------------------------------------
def form_data(task, **overrides):
    data = {
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "due_date_0": "",
        "due_date_1": "",
        "estimated_hours": "",
        "actual_hours": "",
        "assignees": [u.pk for u in task.assignees.all()],
        "tags": [t.pk for t in task.tags.all()],
        "parent": "",
        "metadata": "{}",
        "comments-TOTAL_FORMS": "1",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1",
        "comments-0-body": "",
    }
    data.update(overrides)
    return data


def test_member_edits_task_and_comments_with_history(client, member, lead, tasks):
    task = tasks["theirs"]
    client = login(client, member)
    page = client.get(change_url(task))
    # the inline's prefix comes from the page, so the test follows the admin's own wiring
    assert [fs.formset.prefix for fs in page.context["inline_admin_formsets"]] == ["comments"]
    data = form_data(task, status=Status.BLOCKED, assignees=[member.pk, lead.pk])
    data["comments-0-body"] = "Blocked on the vendor"
    response = client.post(change_url(task), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.status == Status.BLOCKED
    assert set(task.assignees.all()) == {member, lead}
    record = task.history.first()
    assert record.history_user == member and record.history_type == "~"
    assert task.history.count() == 2  # created + this one change
    comment = task.comments.get()
    assert (comment.body, comment.author) == ("Blocked on the vendor", member)


def test_task_page_has_one_comments_area(client, member, lead, viewer, tasks):
    task = tasks["mine"]
    comment_add(actor=lead, task=task, body="Second thoughts")
    page = login(client, member).get(change_url(task))
    body = page.content.decode()
    # one inline, not on a tab of its own: the Planning/Details tabs are the page's only tabs
    (inline,) = page.context["inline_admin_formsets"]
    assert not inline.opts.tab and inline.formset.prefix == "comments"
    group = body[body.index('id="comments-group"') :]
    # the comments and the box are in the same area, comments first, oldest first
    assert group.index("on it") < group.index("Second thoughts") < group.index(NEW_COMMENT_LABEL)
    assert NEW_COMMENT_HELP in group
    # the box is optional: no required marker, no "New comment: #1" heading
    label = group[group.index(NEW_COMMENT_LABEL) : group.index("</label>")]
    assert "text-red-600" not in label and "#1" not in body
    # authors edit their comments on the comment's page, and they or leads delete them
    assert group.count(">Edit</a>") == 1 and group.count(">Delete</a>") == 1
    # viewers read the comments and get no box
    group = login(client, viewer).get(change_url(task)).content.decode()
    assert "Second thoughts" in group and NEW_COMMENT_LABEL not in group


def test_saving_the_task_with_an_empty_comment_box_adds_nothing(client, member, tasks):
    task = tasks["theirs"]
    response = login(client, member).post(change_url(task), form_data(task, title="Renamed"))
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).title == "Renamed" and not task.comments.exists()


def test_admin_form_rejects_assignee_outside_team(client, member, outsider, tasks):
    task = tasks["mine"]
    client = login(client, member)
    data = form_data(task, assignees=[outsider.pk])
    response = client.post(change_url(task), data)
    assert response.status_code == 200
    assert "assignees" in response.context["adminform"].form.errors
    assert list(Task.objects.get(pk=task.pk).assignees.all()) == [member]


def test_member_adds_task_with_next_number(client, member, team, tasks):
    client = login(client, member)
    response = client.post(
        reverse("admin:tasks_task_add"),
        {
            "team": team.pk,
            "title": "Added in the admin",
            "description": "",
            "status": Status.TODO,
            "priority": "medium",
            "due_date_0": "",
            "due_date_1": "",
            "estimated_hours": "",
            "actual_hours": "",
            "parent": "",
            "metadata": "{}",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Added in the admin")
    assert task.key == "OPS-3" and task.created_by == member
    assert task.history.get().history_user == member


# --- bulk actions ---------------------------------------------------------------------------------
def run_action(client, action, tasks, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [t.pk for t in tasks], "index": 0, **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_bulk_status_reports_changed(client, member, tasks):
    response = run_action(login(client, member), "mark_done", [tasks["mine"], tasks["theirs"]])
    text = response.content.decode()
    assert BULK_CHANGED.format(verb="Set status to Done on", tasks="2 tasks") in text
    assert "(s)" not in text
    assert set(Task.objects.values_list("status", flat=True).filter(team=tasks["mine"].team)) == {
        Status.DONE
    }
    assert tasks["mine"].history.first().history_user == member


def test_bulk_archive_reports_refused_with_reason(client, member, tasks):
    response = run_action(login(client, member), "archive", [tasks["mine"], tasks["theirs"]])
    text = response.content.decode()
    assert BULK_CHANGED.format(verb="Archived", tasks="1 task") in text
    refused = BULK_REFUSED.format(tasks="1 task", details="")
    assert refused in text and task_perms.DENIED_ARCHIVE_TASK in text
    assert Task.objects.get(pk=tasks["theirs"].pk).is_archived is False


def test_bulk_actions_cannot_reach_other_teams(client, member, tasks):
    response = run_action(login(client, member), "mark_done", [tasks["foreign"], tasks["mine"]])
    # The foreign id is not in the person's list at all: only their own task is changed.
    done = BULK_CHANGED.format(verb="Set status to Done on", tasks="1 task")
    assert done in response.content.decode()
    assert Task.objects.get(pk=tasks["mine"].pk).status == Status.DONE
    assert Task.objects.get(pk=tasks["foreign"].pk).status == Status.TODO


def test_viewer_cannot_run_actions(client, viewer, member, tasks):
    response = run_action(login(client, viewer), "mark_done", [tasks["mine"]])
    assert response.status_code == 200
    assert "Set status to" not in response.content.decode()
    assert Task.objects.get(pk=tasks["mine"].pk).status == Status.TODO
    # The same request from a member does change it: the refusal above is the role's.
    run_action(login(client, member), "mark_done", [tasks["mine"]])
    assert Task.objects.get(pk=tasks["mine"].pk).status == Status.DONE


def test_bulk_assign_via_intermediate_page(client, member, member2, tasks):
    client = login(client, member)
    selected = [tasks["mine"], tasks["theirs"]]
    page = run_action(client, "assign_to", selected)
    assert page.status_code == 200 and b"Assign the selected tasks" in page.content
    response = run_action(client, "assign_to", selected, apply="1", user=member2.pk)
    assigned = BULK_CHANGED.format(verb="Assigned member2 to", tasks="2 tasks")
    assert assigned in response.content.decode()
    assert set(tasks["mine"].assignees.all()) == {member, member2}  # existing ones are kept
    assert list(tasks["theirs"].assignees.all()) == [member2]
    assert tasks["mine"].history.first().history_user == member


def test_bulk_assign_offers_only_people_of_the_tasks_teams(client, member, outsider, tasks):
    client = login(client, member)
    response = run_action(client, "assign_to", [tasks["mine"]], apply="1", user=outsider.pk)
    assert "Assigned" not in response.content.decode()
    assert "user" in response.context["form"].errors
    assert list(tasks["mine"].assignees.all()) == [member]


def test_bulk_add_tag(client, member, tasks):
    client = login(client, member)
    tag = TagFactory(name="urgent-fix")
    response = run_action(client, "add_tag", [tasks["theirs"]], apply="1", tag=tag.pk)
    tagged = BULK_CHANGED.format(verb="Tagged 'urgent-fix' on", tasks="1 task")
    assert tagged.replace("'", "&#x27;") in response.content.decode()
    assert list(tasks["theirs"].tags.all()) == [tag]


# --- speed -----------------------------------------------------------------------------------------
def _make_tasks(team, member, count, tags):
    start = Task.objects.filter(team=team).count()
    rows = Task.objects.bulk_create(
        [
            Task(team=team, number=start + i + 1, title=f"Bulk {i}", created_by=member)
            for i in range(count)
        ],
        batch_size=2000,
    )
    Task.assignees.through.objects.bulk_create(
        [Task.assignees.through(task_id=t.pk, user_id=member.pk) for t in rows], batch_size=2000
    )
    Task.tags.through.objects.bulk_create(
        [Task.tags.through(task_id=t.pk, tag_id=tag.pk) for t in rows for tag in tags],
        batch_size=4000,
    )


def _changelist_queries(client, per_page, django_assert_max_num_queries, limit):
    from portal.tasks.admin.task import TaskAdmin

    original = TaskAdmin.list_per_page
    TaskAdmin.list_per_page = per_page
    try:
        with django_assert_max_num_queries(limit) as ctx:
            response = client.get(CHANGELIST)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["cl"].result_list)
    finally:
        TaskAdmin.list_per_page = original


def test_changelist_queries_constant(client, team, member, django_assert_max_num_queries):
    tags = [TagFactory(), TagFactory()]
    client = login(client, member)
    _make_tasks(team, member, 10, tags)
    small_25 = _changelist_queries(client, 25, django_assert_max_num_queries, 30)
    small_100 = _changelist_queries(client, 100, django_assert_max_num_queries, 30)
    _make_tasks(team, member, 10_000, tags)
    big_25 = _changelist_queries(client, 25, django_assert_max_num_queries, 30)
    big_100 = _changelist_queries(client, 100, django_assert_max_num_queries, 30)
    assert (small_25[1], small_100[1], big_25[1], big_100[1]) == (10, 10, 25, 100)
    assert small_25[0] == small_100[0] == big_25[0] == big_100[0]


def test_list_header_shows_no_made_up_count(client, member, tasks):
    # unfold's templates know the count-free paginator by its class name; a renamed one made
    # the header read "9999999999 results (Show all)".
    body = login(client, member).get(CHANGELIST).content.decode()
    assert "9999999999 results" not in body and "Show all" not in body


def test_malformed_object_urls_are_404(client, member, tasks):
    client = login(client, member)
    task = tasks["mine"]
    for url in [
        f"/admin/tasks/task/{task.pk}/change/history/",
        "/admin/tasks/task/not-a-number/history/",
        "/admin/tasks/comment/x/history/",
    ]:
        assert client.get(url).status_code == 404, url


def test_history_page_shows_the_shared_diff_with_names(client, member, member2, tasks):
    from portal.tasks.services import task_update

    task = tasks["theirs"]
    task_update(actor=member, task=task, status=Status.DONE, assignees=[member2])
    task_update(actor=member, task=task, title="Theirs, renamed")
    response = login(client, member).get(reverse("admin:tasks_task_history", args=[task.pk]))
    assert response.status_code == 200
    records = list(response.context["page_obj"].object_list)
    assert [r.history_delta_changes for r in records] == [
        [{"field": "title", "old": "Theirs", "new": "Theirs, renamed"}],
        [
            {"field": "status", "old": "To do", "new": "Done"},
            {"field": "assignees", "old": "—", "new": "member2"},
        ],
        [],
    ]


def test_history_page_says_what_it_is(client, member, tasks):
    response = login(client, member).get(
        reverse("admin:tasks_task_history", args=[tasks["mine"].pk])
    )
    body = response.content.decode()
    assert "Every change to this task, newest first" in body
    assert "to revert" not in body


# --- tampered and hostile form input: form errors, never a 500 --------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tags", "abc"),
        ("tags", "9223372036854775808"),
        ("assignees", "-1"),
        ("assignees", "1.5"),
        ("parent", "99999999999999999999"),
        ("parent", "abc"),
    ],
)
def test_tampered_autocomplete_ids_are_form_errors(client, member, tasks, field, value):
    login(client, member)
    task = tasks["mine"]
    response = client.post(change_url(task), form_data(task, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.title == "Mine"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("[" * 3000 + "]" * 3000, "JSON_TOO_DEEP"),  # too deep to decode at all
        ('{"a":' * 200 + "1" + "}" * 200, "JSON_TOO_DEEP"),  # decodes, but over the limit
        ('{"a": "x\\u0000y"}', "NUL_CHARACTER"),
        ('{"a\\u0000": 1}', "NUL_CHARACTER"),
    ],
)
def test_metadata_the_database_cannot_take_is_a_form_error(
    client, member, tasks, metadata, message
):
    from portal.core import validators

    login(client, member)
    task = tasks["mine"]
    response = client.post(change_url(task), form_data(task, metadata=metadata))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["metadata"] == [getattr(validators, message)]
    form = response.context["adminform"].form
    assert form["metadata"].value() == metadata  # shown back as typed
    task.refresh_from_db()
    assert task.metadata == {}


def test_bulk_assign_does_not_offer_viewers(client, member, viewer, tasks):
    page = run_action(login(client, member), "assign_to", [tasks["mine"]])
    offered = set(page.context["form"].fields["user"].queryset)
    assert viewer not in offered and member in offered


# --- the new-task form's pickers follow the team chosen in the form ------------------------------
AUTOCOMPLETE = reverse("admin:autocomplete")
ADD_PAGE = "http://testserver" + reverse("admin:tasks_task_add")


def pick(client, field, team=None, referer=ADD_PAGE):
    query = {"app_label": "tasks", "model_name": "task", "field_name": field, "term": ""}
    if team is not None:
        query["team"] = team
    response = client.get(AUTOCOMPLETE, query, headers={"referer": referer})
    assert response.status_code == 200
    # a short list of choices is the whole list: no "Loading more results..." under it
    assert response.json()["pagination"] == {"more": False}
    return {int(row["id"]) for row in response.json()["results"]}


def test_pickers_offer_the_chosen_teams_people_and_tasks(
    client, team, other_team, member, member2, lead, outsider, tasks
):
    MembershipFactory(user=member, team=other_team, role=Role.MEMBER)
    login(client, member)
    # nothing chosen yet: the people and tasks of all the person's teams
    assert pick(client, "assignees") == {member.pk, member2.pk, lead.pk, outsider.pk}
    # the chosen team travels with the request; the referer's add page knows nothing of it
    assert pick(client, "assignees", other_team.pk) == {member.pk, outsider.pk}
    assert pick(client, "assignees", team.pk) == {member.pk, member2.pk, lead.pk}
    assert pick(client, "parent", other_team.pk) == {tasks["foreign"].pk}
    assert pick(client, "parent", team.pk) == {tasks["mine"].pk, tasks["theirs"].pk}
    # the page's form marks the pickers that follow the team (the admin's script reads it)
    page = client.get(reverse("admin:tasks_task_add")).content.decode()
    assert page.count(f'{FOLLOWS_TEAM_ATTR}="team"') == 2


@pytest.mark.parametrize("forged", ["999999", "abc", "", "1" * 30])
def test_a_team_that_is_not_yours_reveals_nothing(client, member, outsider, other_team, forged):
    login(client, member)
    for value in (forged, str(other_team.pk)):
        people = pick(client, "assignees", value)
        assert outsider.pk not in people and member.pk in people


def test_the_list_marks_overdue_as_the_vocabulary_says(client, team, member):
    """Past due and open: an archived task past its due date is not marked overdue."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.tasks.services import task_archive, task_create

    late = task_create(
        actor=member, team=team, title="Late", due_date=timezone.now() - timedelta(days=1)
    )
    shelved = task_create(
        actor=member, team=team, title="Shelved", due_date=timezone.now() - timedelta(days=1)
    )
    task_archive(actor=member, task=shelved)
    client.force_login(member)
    html = client.get("/admin/tasks/task/", {"is_archived": "all"}).content.decode()
    row = {t: html[html.index(t) :][:2000] for t in (late.title, shelved.title)}
    assert 'title="overdue"' in row["Late"].split("</tr>")[0]
    assert 'title="overdue"' not in row["Shelved"].split("</tr>")[0]


@pytest.mark.parametrize(
    ("day", "time", "due_day", "hour"),
    [("2030-12-24", "", "2030-12-24", None), ("2030-12-24", "17:30", None, 17)],
)
def test_the_admin_saves_a_due_day_or_a_due_moment(client, member, tasks, day, time, due_day, hour):
    task = tasks["theirs"]
    client = login(client, member)
    response = client.post(change_url(task), form_data(task, due_date_0=day, due_date_1=time))
    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert (str(task.due_day) if task.due_day else None) == due_day
    if hour is not None:
        from django.utils import timezone

        assert timezone.localtime(task.due_date).hour == hour
    page = client.get(change_url(task)).content.decode()
    assert 'value="2030-12-24"' in page


def test_the_admin_refuses_a_due_date_far_from_today(client, member, tasks):
    from portal.tasks.due import DUE_OUT_OF_RANGE

    task = tasks["theirs"]
    client = login(client, member)
    response = client.post(change_url(task), form_data(task, due_date_0="1900-01-01"))
    # A field error beside the others, on the same page.
    assert response.status_code == 200
    assert DUE_OUT_OF_RANGE in response.content.decode()
    task.refresh_from_db()
    assert task.due_date is None
