"""Swimlanes on the board: lanes by assignee, priority or parent task with the right counts per
cell and per lane, a task with several assignees in each of their lanes, the unassigned and
no-parent lanes, links to the rest of a cell, and moves that come back to the same board."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.pages.views.board import MOVED, TAKEN
from portal.tasks.models import Status, Task
from portal.tasks.selectors import (
    BOARD_COLUMNS,
    LANE_CARDS,
    board_lanes,
    lane_filter,
    task_list,
)
from portal.tasks.selectors.board_lanes import NO_PARENT, UNASSIGNED
from portal.tasks.services import task_create
from tests.pages.conftest import make_tasks

pytestmark = pytest.mark.django_db
BOARD = "/teams/operations/"


@pytest.fixture
def world(team, other_team, member, member2, outsider):
    """member: 2 to do (one shared with member2), 1 done; member2: 1 in progress + the shared
    one; nobody: 1 blocked and 1 done long ago (outside the window); an epic with 2 children."""
    member.first_name, member.last_name = "Zoe", "Archer"
    member.save()
    member2.first_name, member2.last_name = "Bea", "Cole"
    member2.save()
    now = timezone.now()

    def make(title, **fields):
        return task_create(actor=member, team=team, title=title, **fields)

    tasks = {
        "epic": make("Epic", priority="urgent", assignees=[member]),
        "shared": make("Shared", priority="high", assignees=[member, member2]),
        "doing": make("Doing", status="in_progress", priority="low", assignees=[member2]),
        "nobody": make("Nobody", status="blocked", priority="high"),
        "finished": make("Finished", status="done", assignees=[member]),
        "old": make("Old", status="done"),
    }
    tasks["child1"] = make("Child one", parent=tasks["epic"], assignees=[member])
    tasks["child2"] = make("Child two", parent=tasks["epic"], status="done")
    Task.objects.filter(pk=tasks["old"].pk).update(completed_at=now - timedelta(days=40))
    task_create(actor=outsider, team=other_team, title="Secret", assignees=[outsider])
    return tasks


def lanes_of(response) -> list[dict]:
    return response.context["lanes"]


def cell_titles(lane) -> dict[str, list[str]]:
    return {cell["status"]: [card["title"] for card in cell["cards"]] for cell in lane["cells"]}


def test_lanes_by_assignee_put_a_shared_task_in_each_lane(client, world, member, member2):
    client.force_login(member)
    lanes = lanes_of(client.get(f"{BOARD}?group=assignee"))
    # People by name (whatever their ids), the unassigned lane last.
    assert [lane["label"] for lane in lanes] == ["Bea Cole", "Zoe Archer", UNASSIGNED]
    other, ann, nobody = (cell_titles(lane) for lane in lanes)
    assert ann == {
        "todo": ["Epic", "Shared", "Child one"],
        "in_progress": [],
        "blocked": [],
        "done": ["Finished"],
    }
    assert other == {"todo": ["Shared"], "in_progress": ["Doing"], "blocked": [], "done": []}
    assert nobody == {"todo": [], "in_progress": [], "blocked": ["Nobody"], "done": ["Child two"]}
    assert [lane["total"] for lane in lanes] == [2, 4, 2]
    counts = [[cell["count"] for cell in lane["cells"]] for lane in lanes]
    assert counts == [[1, 1, 0, 0], [3, 0, 0, 1], [0, 0, 1, 1]]
    # The columns' totals count each task once.
    response = client.get(f"{BOARD}?group=assignee")
    assert [c["count"] for c in response.context["columns"]] == [3, 1, 1, 2]


def test_lanes_by_priority_and_by_parent(client, world, member):
    client.force_login(member)
    lanes = lanes_of(client.get(f"{BOARD}?group=priority"))
    assert [lane["label"] for lane in lanes] == ["Urgent", "High", "Medium", "Low"]
    assert [lane["total"] for lane in lanes] == [1, 2, 3, 1]
    assert cell_titles(lanes[1])["blocked"] == ["Nobody"]
    lanes = lanes_of(client.get(f"{BOARD}?group=parent"))
    assert [lane["label"] for lane in lanes] == [f"{world['epic'].key} Epic", NO_PARENT]
    assert cell_titles(lanes[0]) == {
        "todo": ["Child one"],
        "in_progress": [],
        "blocked": [],
        "done": ["Child two"],
    }
    assert lanes[1]["total"] == 5
    html = client.get(f"{BOARD}?group=parent").content.decode()
    assert f'href="/teams/operations/tasks/{world["epic"].number}/"' in html


@pytest.mark.parametrize("group", ["assignee", "priority", "parent"])
def test_each_cell_counts_what_the_list_filters_give(client, world, member, group):
    """A lane's cell holds the tasks the list gives for its status and lane filter."""
    client.force_login(member)
    now = timezone.now()
    found = board_lanes(fetched_by=member, team=world["epic"].team, group=group, now=now)
    for lane in found.lanes:
        for status in BOARD_COLUMNS:
            filters = {"team": "OPS", "status": status, **lane_filter(group, lane.key)}
            if status == Status.DONE:
                filters["completed_after"] = (now - timedelta(days=14)).isoformat()
            expected = task_list(fetched_by=member, filters=filters).count()
            assert lane.counts[status] == expected, (lane.label, status)


def test_a_full_cell_links_to_the_rest_in_the_list(client, team, member):
    make_tasks(team, member, 4 * (LANE_CARDS + 3), assignees=[member], priority="high")
    client.force_login(member)
    response = client.get(f"{BOARD}?group=assignee&tag=&priority=high")
    (lane,) = lanes_of(response)
    todo = lane["cells"][0]
    assert len(todo["cards"]) == LANE_CARDS and todo["count"] == LANE_CARDS + 3
    assert todo["more"] == 3
    link = (
        f"/teams/operations/tasks/?tag=&amp;priority=high&amp;status=todo&amp;assignee={member.pk}"
    )
    assert f'href="{link}">3 more' in response.content.decode()
    listed = client.get(link.replace("&amp;", "&")).context["tasks"]
    assert len(listed) == LANE_CARDS + 3


def test_a_shared_task_has_distinct_ids_in_each_lane(client, world, member):
    client.force_login(member)
    html = client.get(f"{BOARD}?group=assignee").content.decode()
    pk = world["shared"].pk
    assert html.count(f'id="card-1-{pk}"') == 1 and html.count(f'id="card-2-{pk}"') == 1
    assert html.count(f'aria-labelledby="card-title-1-{pk}"') == 1
    assert f'id="card-{pk}"' not in html


def test_more_lanes_than_shown_say_so(client, team, member):
    parents = make_tasks(team, member, 30)
    for number, parent in enumerate(parents[:25]):
        task_create(actor=member, team=team, title=f"Child {number}", parent=parent)
    client.force_login(member)
    response = client.get(f"{BOARD}?group=parent")
    lanes = lanes_of(response)
    assert len(lanes) == 20 and lanes[-1]["label"] == NO_PARENT
    assert response.context["more_lanes"] and 'id="more-lanes"' in response.content.decode()


def test_moving_from_a_filtered_or_grouped_board_comes_back_to_it(client, world, member, htmx):
    client.force_login(member)
    task = world["shared"]
    back = f"{BOARD}?group=assignee&priority=high"
    html = client.get(back).content.decode()
    assert html.count(f'<input type="hidden" name="next" value="{BOARD}?group=assignee&amp;') > 0
    url = f"/teams/operations/tasks/{task.number}/move/"
    response = client.post(url, {"status": "blocked", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert Task.objects.get(pk=task.pk).status == Status.BLOCKED
    page = client.get(back).content.decode()
    assert MOVED.format(key=task.key, column="Blocked") in page
    # With htmx the page is read again (the card may leave the board or change lanes).
    response = client.post(
        url, {"status": "todo"}, HTTP_HX_CURRENT_URL=f"http://testserver{back}", **htmx
    )
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert MOVED.format(key=task.key, column="To do") in client.get(back).content.decode()
    # Take too.
    take = f"/teams/operations/tasks/{world['doing'].number}/take/"
    response = client.post(take, {"next": back})
    assert response["Location"] == back
    assert TAKEN.format(key=world["doing"].key) in client.get(back).content.decode()


def test_the_plain_board_still_moves_cards_in_place(client, world, member, htmx):
    client.force_login(member)
    task = world["shared"]
    response = client.post(
        f"/teams/operations/tasks/{task.number}/move/",
        {"status": "done"},
        HTTP_HX_CURRENT_URL="http://testserver/teams/operations/?column=todo",
        **htmx,
    )
    assert "HX-Refresh" not in response
    assert 'hx-swap-oob="afterbegin:#cards-done"' in response.content.decode()


def test_a_viewer_sees_lanes_without_move_or_take(client, world, viewer):
    client.force_login(viewer)
    for group in ("assignee", "priority", "parent"):
        html = client.get(f"{BOARD}?group={group}&done=30").content.decode()
        assert "Shared" in html
        assert "data-move-form" not in html and "data-take-form" not in html
        assert "Move to" not in html and 'draggable="true"' not in html


def test_which_board_addresses_move_cards_in_place():
    from portal.pages.boardstate import is_plain

    assert is_plain(BOARD) and is_plain(f"{BOARD}?column=done")
    assert is_plain(f"{BOARD}?done=14&column=todo")  # the default window, said aloud
    for query in ("group=assignee", "done=30", "assignee=me", "search=x", "cf_size=3"):
        assert not is_plain(f"{BOARD}?{query}")
