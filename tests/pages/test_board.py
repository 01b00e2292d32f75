"""The board: columns, who may move and take cards, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.pages.views.board import MOVED, OFFSET_INVALID, STATUS_INVALID, TAKEN
from portal.tasks import permissions as task_perms
from portal.tasks.models import Status, Task
from portal.tasks.selectors import BOARD_PAGE
from portal.tasks.services import task_create
from tests.factories import TagFactory
from tests.pages.conftest import count_queries, make_tasks
from tests.savedviews.making import menu_views

pytestmark = pytest.mark.django_db
BOARD = "/teams/operations/"


def move_url(task):
    return f"/teams/operations/tasks/{task.number}/move/"


def take_url(task):
    return f"/teams/operations/tasks/{task.number}/take/"


@pytest.fixture
def cards(team, other_team, member, member2, outsider):
    now = timezone.now()
    return {
        "todo": task_create(actor=member, team=team, title="Write the plan", assignees=[member2]),
        "doing": task_create(actor=member, team=team, title="Doing it", status="in_progress"),
        "blocked": task_create(
            actor=member,
            team=team,
            title="Waiting",
            status="blocked",
            due_date=now - timedelta(days=1),
        ),
        "done": task_create(actor=member, team=team, title="Finished", status="done"),
        "archived": task_create(actor=member, team=team, title="Put away", is_archived=True),
        "foreign": task_create(actor=outsider, team=other_team, title="Secret plan"),
    }


def column_titles(response, status):
    (column,) = [c for c in response.context["columns"] if c["status"] == status]
    return [card["title"] for card in column["cards"]]


def test_anonymous_people_are_sent_to_sign_in(client, team):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={BOARD}"


def test_outsiders_and_unknown_teams_get_404(client, cards, outsider, member):
    client.force_login(outsider)
    assert client.get(BOARD).status_code == 404
    assert client.post(move_url(cards["todo"]), {"status": "done"}).status_code == 404
    assert client.post(take_url(cards["todo"])).status_code == 404
    client.force_login(member)
    assert client.get("/teams/nope/").status_code == 404
    assert client.post("/teams/operations/tasks/99999/move/", {"status": "done"}).status_code == 404
    # A number too large for the column is not a task, not a database error.
    assert client.post("/teams/operations/tasks/99999999999999999999/move/").status_code == 404


def test_columns_hold_the_team_tasks_by_status(client, cards, member):
    client.force_login(member)
    response = client.get(BOARD)
    assert response.status_code == 200
    assert column_titles(response, "todo") == ["Write the plan"]
    assert column_titles(response, "in_progress") == ["Doing it"]
    assert column_titles(response, "blocked") == ["Waiting"]
    assert column_titles(response, "done") == ["Finished"]
    html = response.content.decode()
    assert "Secret plan" not in html and "Put away" not in html
    # key, initials of the assignee, overdue mark and priority on the cards
    assert "OPS-1" in html and 'title="member2"' in html and "Overdue (due" in html
    assert "pages-badge-medium" in html


def test_done_column_shows_the_last_14_days(client, cards, member):
    Task.objects.filter(pk=cards["done"].pk).update(
        completed_at=timezone.now() - timedelta(days=15)
    )
    client.force_login(member)
    assert column_titles(client.get(BOARD), "done") == []


def test_member_moves_a_card_through_the_service(client, cards, member, htmx):
    client.force_login(member)
    response = client.post(move_url(cards["todo"]), {"status": "done"}, **htmx)
    assert response.status_code == 200
    task = Task.objects.get(pk=cards["todo"].pk)
    assert task.status == Status.DONE and task.completed_at is not None
    record = task.history.first()
    assert record.history_user == member and record.history_type == "~"
    html = response.content.decode()
    assert f'id="card-{task.pk}" hx-swap-oob="delete"' in html
    assert 'hx-swap-oob="afterbegin:#cards-done"' in html
    assert MOVED.format(key="OPS-1", column="Done") in html
    assert 'id="count-done" hx-swap-oob="true">2<' in html


def test_moving_without_htmx_goes_back_to_the_board(client, cards, member):
    client.force_login(member)
    response = client.post(move_url(cards["todo"]), {"status": "blocked"})
    assert response.status_code == 302 and response["Location"] == BOARD
    response = client.post(
        move_url(cards["todo"]), {"status": "todo", "next": "https://evil.example/"}
    )
    assert response["Location"] == BOARD


@pytest.mark.parametrize("status", ["", "finished", "x" * 5000])
def test_a_bad_column_is_400(client, cards, member, status):
    client.force_login(member)
    response = client.post(move_url(cards["todo"]), {"status": status})
    assert response.status_code == 400 and response.content.decode() == STATUS_INVALID
    assert Task.objects.get(pk=cards["todo"].pk).status == Status.TODO


def test_moving_needs_post(client, cards, member):
    client.force_login(member)
    assert client.get(move_url(cards["todo"])).status_code == 405


def test_viewer_sees_no_write_controls_and_a_forged_write_is_403(client, cards, viewer):
    client.force_login(viewer)
    html = client.get(BOARD).content.decode()
    assert "data-move-form" not in html and "data-take-form" not in html
    assert 'draggable="true"' not in html and "data-can-move" not in html
    response = client.post(move_url(cards["todo"]), {"status": "done"})
    assert response.status_code == 403
    assert task_perms.DENIED_EDIT_TASK in response.content.decode()
    assert client.post(take_url(cards["todo"])).status_code == 403
    task = Task.objects.get(pk=cards["todo"].pk)
    assert task.status == Status.TODO and list(task.assignees.all()) == [
        cards["todo"].assignees.get()
    ]


def test_take_adds_me_and_keeps_the_others(client, cards, member, member2, htmx):
    client.force_login(member)
    response = client.post(take_url(cards["todo"]), **htmx)
    assert response.status_code == 200
    task = Task.objects.get(pk=cards["todo"].pk)
    assert set(task.assignees.all()) == {member, member2}
    assert task.history.first().history_user == member
    html = response.content.decode()
    assert TAKEN.format(key="OPS-1") in html and "data-take-form" not in html


def test_take_is_offered_only_for_tasks_that_are_not_mine(client, cards, member2):
    client.force_login(member2)
    html = client.get(BOARD).content.decode()
    mine = html.split(f'id="card-{cards["todo"].pk}"')[1].split("</article>")[0]
    theirs = html.split(f'id="card-{cards["doing"].pk}"')[1].split("</article>")[0]
    assert "data-take-form" not in mine and "data-take-form" in theirs


def test_columns_show_50_cards_and_more_on_request(client, team, member):
    make_tasks(team, member, 4 * (BOARD_PAGE + 10))
    client.force_login(member)
    response = client.get(BOARD)
    for column in response.context["columns"]:
        assert len(column["cards"]) == BOARD_PAGE and column["more"]
        assert column["count"] == BOARD_PAGE + 10
    more = client.get("/teams/operations/board/todo/?offset=50")
    assert more.status_code == 200
    assert (
        more.content.decode().count("data-card ") == 10 and "data-more" not in more.content.decode()
    )


@pytest.mark.parametrize("offset", ["-1", "abc", "10001", "99999999999999999999999"])
def test_a_bad_offset_is_400(client, team, member, offset):
    client.force_login(member)
    response = client.get(f"/teams/operations/board/todo/?offset={offset}")
    assert response.status_code == 400 and response.content.decode() == OFFSET_INVALID


def test_an_unknown_column_is_404(client, team, member):
    client.force_login(member)
    assert client.get("/teams/operations/board/archived/").status_code == 404


def test_board_queries_do_not_grow_with_tasks(
    client, team, lead, member, member2, django_assert_max_num_queries
):
    tags = [TagFactory(), TagFactory()]
    views = menu_views(team, member, lead, "board")
    client.force_login(member)
    make_tasks(team, member, 12, tags=tags, assignees=[member, member2])
    # 19: session, person, roles, team, header teams, admin permissions (2), column counts,
    # four columns, the people and tags of the whole board's cards (2), the header bell's
    # unread count, the team's custom fields shown on cards (their values are read only
    # when there are such fields), whether the team shows images on cards (the images are
    # read only when it does), the filter form's people, tags and custom fields, and the saved
    # views' menu.
    small, response = count_queries(client, BOARD, django_assert_max_num_queries, limit=21)
    assert [row["view"] for row in response.context["saved_views"]["mine"]] == views[:1]
    make_tasks(team, member, 10_000, tags=tags, assignees=[member, member2])
    large, response = count_queries(client, BOARD, django_assert_max_num_queries, limit=21)
    assert all(len(c["cards"]) == BOARD_PAGE for c in response.context["columns"])
    assert small == large


def test_moving_costs_the_same_with_many_tasks(
    client, team, member, django_assert_max_num_queries, htmx
):
    client.force_login(member)
    task = task_create(actor=member, team=team, title="Move me")

    def moves(status):
        with django_assert_max_num_queries(40) as captured:
            client.post(move_url(task), {"status": status}, **htmx)
        return len(captured)

    small = moves("done")
    make_tasks(team, member, 2_000)
    assert moves("todo") == small


def test_cards_escape_what_people_typed_on_the_board_and_when_moved(
    client, team, member, member2, htmx
):
    member2.first_name, member2.last_name = "<Ann>", "O'Neil"
    member2.save()
    tag = TagFactory(name="<i>tag</i>")
    task = task_create(
        actor=member, team=team, title="<b>bold</b>", assignees=[member2], tags=[tag]
    )
    client.force_login(member)
    for html in (
        client.get(BOARD).content.decode(),
        # Moved to a column where it stays open, so Take is still offered on the card.
        client.post(move_url(task), {"status": "blocked"}, **htmx).content.decode(),
    ):
        assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
        assert "<i>tag</i>" not in html and "&lt;i&gt;tag&lt;/i&gt;" in html
        assert 'title="&lt;Ann&gt; O&#x27;Neil"' in html and ">&lt;O</abbr>" in html
        assert "data-take-form" in html  # not mine: member may take it
