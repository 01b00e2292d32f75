"""The board's filters are the list's (the same table of cases), its Done column's window is
chosen, hostile values fall back with a message, and its queries do not grow with tasks."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from django.utils.html import escape

from portal.core.middleware import QUERY_NUL
from portal.pages.boardstate import DONE_INVALID, GROUP_INVALID
from portal.pages.views.tasks import FILTER_ERROR
from portal.tasks.models import Task
from portal.tasks.selectors import BOARD_GROUPS, BOARD_PAGE
from portal.tasks.services import task_create
from tests.factories import TagFactory
from tests.pages.conftest import count_queries, make_tasks
from tests.tasks.filter_cases import BAD, CASES, RANGE_CASES, resolve

pytestmark = pytest.mark.django_db
BOARD = "/teams/operations/"
LIST = "/teams/operations/tasks/"
# The address fixes the team (as on the list); every other filter is the list's.
PAGE_CASES = [(f, e) for f, e in CASES + RANGE_CASES if "team" not in f]
PAGE_BAD = [case for case in BAD if case[1] not in ("team", "ordering")]


def shown(response, world) -> set[str]:
    """The names of the tasks on the board, from the columns or from the lanes."""
    by_pk = {str(t.pk): name for name, t in world.items() if hasattr(t, "pk")}
    context = response.context
    if context["lanes"] is not None:
        cells = [cell for lane in context["lanes"] for cell in lane["cells"]]
    else:
        cells = context["columns"]
    return {by_pk[card["pk"]] for cell in cells for card in cell["cards"]}


def list_names(client, query, world) -> set[str]:
    by_pk = {t.pk: name for name, t in world.items() if hasattr(t, "pk")}
    return {by_pk[t.pk] for t in client.get(f"{LIST}?{query}").context["tasks"]}


@pytest.mark.parametrize(("filters", "expected"), PAGE_CASES)
def test_each_filter_shows_the_rows_the_list_shows(client, member, filter_world, filters, expected):
    client.force_login(member)
    query = urlencode(resolve(filters, filter_world))
    response = client.get(f"{BOARD}?{query}")
    assert response.status_code == 200 and response.context["errors"] == []
    assert shown(response, filter_world) == expected == list_names(client, query, filter_world)


@pytest.mark.parametrize("group", BOARD_GROUPS)
def test_swimlanes_hold_the_same_rows(client, member, filter_world, group, subtests):
    """Every case of the table in each grouping, on one data set per grouping (a sub-test per
    case names the one that fails)."""
    client.force_login(member)
    for filters, expected in PAGE_CASES:
        with subtests.test(filters=filters):
            query = urlencode({**resolve(filters, filter_world), "group": group})
            response = client.get(f"{BOARD}?{query}")
            assert response.status_code == 200
            assert shown(response, filter_world) == expected


@pytest.mark.parametrize(("filters", "name", "message"), PAGE_BAD)
def test_a_bad_filter_says_which_and_why_above_an_empty_board(
    client, member, filter_world, filters, name, message
):
    client.force_login(member)
    for group in ("", "assignee"):
        response = client.get(f"{BOARD}?{urlencode({**filters, 'group': group})}")
        assert response.status_code == 200
        assert response.context["errors"] == [FILTER_ERROR.format(name=name, message=message)]
        assert escape(FILTER_ERROR.format(name=name, message=message)) in response.content.decode()
        assert shown(response, filter_world) == set()


def test_the_filter_form_is_the_lists_and_keeps_the_view(client, member, filter_world):
    client.force_login(member)
    response = client.get(f"{BOARD}?assignee=me&priority=urgent&group=priority&done=30")
    html = response.content.decode()
    assert 'id="task-filters"' in html and 'value="me" selected' in html
    assert 'value="urgent" checked' in html
    # The filter form keeps the view; the view form keeps the filters.
    form = html.split('id="task-filters"')[1].split("</form>")[0]
    assert '<input type="hidden" name="group" value="priority">' in form
    assert '<input type="hidden" name="done" value="30">' in form
    assert 'name="ordering"' not in form  # the board orders its columns itself
    view = html.split('id="board-view"')[1].split("</form>")[0]
    assert '<input type="hidden" name="assignee" value="me">' in view
    assert '<input type="hidden" name="priority" value="urgent">' in view
    # Clear keeps the view, and the column switcher keeps everything.
    assert f'href="{BOARD}?group=priority&amp;done=30">Clear' in html
    assert (
        'href="?assignee=me&amp;priority=urgent&amp;group=priority&amp;done=30&amp;column=done"'
        in html
    )


def test_show_more_keeps_the_filters(client, team, member):
    make_tasks(team, member, 4 * (BOARD_PAGE + 5), priority="high")
    task_create(actor=member, team=team, title="Low one", priority="low")
    client.force_login(member)
    response = client.get(f"{BOARD}?priority=high&done=30")
    (todo,) = [c for c in response.context["columns"] if c["status"] == "todo"]
    assert todo["count"] == BOARD_PAGE + 5 and todo["more"]
    html = response.content.decode()
    more = "/teams/operations/board/todo/?priority=high&amp;done=30&amp;offset=50"
    assert f'data-url="{more}"' in html
    assert f'href="{LIST}?priority=high&amp;status=todo"' in html
    page = client.get(more.replace("&amp;", "&"))
    assert page.status_code == 200 and page.content.decode().count("data-card ") == 5
    assert client.get("/teams/operations/board/todo/?overdue=maybe").status_code == 400


@pytest.fixture
def finished(team, member):
    """Tasks finished 3, 10, 20 and 60 days ago."""
    now = timezone.now()
    tasks = {}
    for days in (3, 10, 20, 60):
        task = task_create(actor=member, team=team, title=f"Done {days}", status="done")
        Task.objects.filter(pk=task.pk).update(completed_at=now - timedelta(days=days))
        tasks[days] = task
    return tasks


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", {"Done 3", "Done 10"}),
        ("done=7", {"Done 3"}),
        ("done=14", {"Done 3", "Done 10"}),
        ("done=30", {"Done 3", "Done 10", "Done 20"}),
        ("done=90", {"Done 3", "Done 10", "Done 20", "Done 60"}),
        ("done=90&group=assignee", {"Done 3", "Done 10", "Done 20", "Done 60"}),
    ],
)
def test_the_done_column_shows_the_chosen_window(client, member, finished, query, titles):
    client.force_login(member)
    response = client.get(f"{BOARD}?{query}")
    if response.context["lanes"] is not None:
        cards = [c for lane in response.context["lanes"] for c in lane["cells"][3]["cards"]]
    else:
        cards = response.context["columns"][3]["cards"]
    assert {card["title"] for card in cards} == titles
    assert response.context["columns"][3]["count"] == len(titles)
    days = response.context["done_days"]
    assert f"({days} days)" in response.content.decode()


NUL = "a\x00b"


@pytest.mark.parametrize(
    ("query", "notices", "group", "days"),
    [
        ({"group": "status"}, [GROUP_INVALID], "", 14),
        ({"group": "x" * 10_000}, [GROUP_INVALID], "", 14),
        ({"done": "abc"}, [DONE_INVALID], "", 14),
        ({"done": "99999999999"}, [DONE_INVALID], "", 14),
        ({"done": "-7"}, [DONE_INVALID], "", 14),
        ({"done": "8"}, [DONE_INVALID], "", 14),
        ({"done": "30", "group": "bogus"}, [GROUP_INVALID], "", 30),
        ({"done": "abc", "group": "parent"}, [DONE_INVALID], "parent", 14),
        ({"done": "", "group": ""}, [], "", 14),
    ],
)
def test_hostile_view_values_fall_back_with_a_message(
    client, member, filter_world, query, notices, group, days
):
    client.force_login(member)
    response = client.get(BOARD, query)
    assert response.status_code == 200
    assert response.context["notices"] == notices
    assert response.context["view"].group == group and response.context["done_days"] == days
    for notice in notices:
        assert escape(notice) in response.content.decode()
    assert "late" in shown(response, filter_world)


@pytest.mark.parametrize(
    "query",
    [{"group": NUL}, {"done": NUL}, {"search": NUL, "group": "assignee"}, {"cf_" + NUL: "1"}],
)
def test_a_nul_character_is_a_clear_400(client, member, filter_world, query):
    client.force_login(member)
    for url in (BOARD, "/teams/operations/board/todo/"):
        response = client.get(url, query)
        assert response.status_code == 400 and response.content.decode() == QUERY_NUL


@pytest.mark.parametrize(
    "query",
    [
        {"tag": "x" * 51, "group": "assignee"},
        {"assignee": "-1", "column": "nope"},
        {"cf_nope": "1", "group": "parent"},
        {"priority": "x" * 5000, "group": "priority"},
        {"parent": "99999999999999999999999", "group": "parent"},
        {"done": "1e400"},
    ],
)
def test_hostile_filters_never_fail(client, member, filter_world, query):
    client.force_login(member)
    assert client.get(BOARD, query).status_code == 200
    assert client.get("/teams/operations/board/todo/", query).status_code in (200, 400)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "assignee=me&priority=high,urgent,medium&tag=infra&search=Bulk&overdue=false",
        "group=assignee",
        "group=priority&done=90",
        "group=parent&assignee=me&tag=infra",
    ],
)
def test_queries_do_not_grow_with_tasks(
    client, team, member, member2, django_assert_max_num_queries, query
):
    tags = [TagFactory(name="infra"), TagFactory()]
    client.force_login(member)
    parents = make_tasks(team, member, 10, tags=tags, assignees=[member, member2])
    Task.objects.filter(pk__in=[t.pk for t in parents[5:]]).update(parent=parents[0])
    url = f"{BOARD}?{query}"
    # 21: the board (with whether the team shows images on cards), its filter form and the
    # saved views' menu.
    small, response = count_queries(client, url, django_assert_max_num_queries, limit=21)
    assert shown_count(response) > 0
    more = make_tasks(team, member, 10_000, tags=tags, assignees=[member, member2])
    Task.objects.filter(pk__in=[t.pk for t in more[::2]]).update(parent=parents[1])
    large, response = count_queries(client, url, django_assert_max_num_queries, limit=21)
    assert shown_count(response) > 0
    assert small == large


def shown_count(response) -> int:
    context = response.context
    cells = (
        [cell for lane in context["lanes"] for cell in lane["cells"]]
        if context["lanes"] is not None
        else context["columns"]
    )
    return sum(len(cell["cards"]) for cell in cells)
