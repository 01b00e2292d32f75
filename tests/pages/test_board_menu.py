"""The card's menu on the board: Move to each other column, and Take where the rule allows."""

import pytest

from portal.pages.views.board import NOT_CHANGED
from portal.tasks import permissions as task_perms
from portal.tasks.models import Status, Task
from portal.tasks.services import task_create, task_update

pytestmark = pytest.mark.django_db
BOARD = "/teams/operations/"


def card_html(html: str, task) -> str:
    return html.split(f'id="card-{task.pk}"')[1].split("</article>")[0]


@pytest.fixture
def tasks(team, member, member2):
    return {
        "theirs": task_create(actor=member, team=team, title="Theirs", assignees=[member2]),
        "mine": task_create(actor=member, team=team, title="Mine", assignees=[member]),
        "nobody": task_create(actor=member, team=team, title="Nobody's", status="blocked"),
        "done": task_create(actor=member, team=team, title="Finished", status="done"),
    }


def test_the_rule_takes_open_tasks_that_are_not_mine(tasks, member, viewer, superuser):
    assert task_perms.can_take_task(member, tasks["theirs"])
    assert task_perms.can_take_task(member, tasks["nobody"])
    assert task_perms.task_take_refusal(member, tasks["mine"]) == task_perms.TAKE_MINE
    assert task_perms.task_take_refusal(member, tasks["done"]) == task_perms.TAKE_NOT_OPEN
    archived = task_update(actor=member, task=tasks["nobody"], is_archived=True)
    assert task_perms.task_take_refusal(member, archived) == task_perms.TAKE_NOT_OPEN
    # Viewers and administrators outside the team cannot be assignees.
    assert task_perms.task_take_refusal(viewer, tasks["theirs"]) == task_perms.TAKE_NOT_MEMBER
    assert task_perms.task_take_refusal(superuser, tasks["theirs"]) == task_perms.TAKE_NOT_MEMBER


def test_each_card_has_one_menu_with_the_other_columns_and_take_where_allowed(
    client, tasks, member
):
    client.force_login(member)
    html = client.get(BOARD).content.decode()
    # The filter form above the board has its selects; the cards have none.
    assert "<select" not in html.split('id="board"')[1]
    theirs = card_html(html, tasks["theirs"])
    assert theirs.count("<details") == 1 and 'aria-expanded="false"' in theirs
    assert "Actions" in theirs and "for OPS-1" in theirs
    moves = [f'value="{s}">Move to {label}<' for s, label in Status.choices]
    assert [m in theirs for m in moves] == [False, True, True, True]  # not to its own column
    assert "data-take-form" in theirs
    assert "data-take-form" in card_html(html, tasks["nobody"])
    assert "data-take-form" not in card_html(html, tasks["mine"])
    done = card_html(html, tasks["done"])
    assert "data-take-form" not in done and 'value="todo">Move to To do<' in done


def test_an_administrator_outside_the_team_moves_but_is_not_offered_take(client, tasks, superuser):
    client.force_login(superuser)
    html = client.get(BOARD).content.decode()
    assert "data-move-form" in html and "data-take-form" not in html


def test_the_menu_moves_through_the_service_without_javascript(client, tasks, member):
    client.force_login(member)
    response = client.post(
        f"/teams/operations/tasks/{tasks['theirs'].number}/move/", {"status": "in_progress"}
    )
    assert response.status_code == 302 and response["Location"] == BOARD
    task = Task.objects.get(pk=tasks["theirs"].pk)
    assert task.status == Status.IN_PROGRESS and task.history.first().history_user == member


def test_take_without_javascript_goes_back_to_the_board(client, tasks, member, member2):
    client.force_login(member)
    response = client.post(f"/teams/operations/tasks/{tasks['theirs'].number}/take/")
    assert response.status_code == 302 and response["Location"] == BOARD
    assignees = set(Task.objects.get(pk=tasks["theirs"].pk).assignees.all())
    assert assignees == {member, member2}


@pytest.mark.parametrize(("which", "reason"), [("done", task_perms.TAKE_NOT_OPEN)])
def test_a_forged_take_the_rule_refuses_changes_nothing(client, tasks, member, which, reason):
    client.force_login(member)
    task = tasks[which]
    before = list(task.history.values_list("pk", flat=True))
    response = client.post(f"/teams/operations/tasks/{task.number}/take/")
    assert response.status_code == 400
    assert response.content.decode() == NOT_CHANGED.format(key=task.key, reason=reason)
    assert list(task.history.values_list("pk", flat=True)) == before


def test_taking_a_task_that_is_mine_already_changes_nothing(client, tasks, member):
    # The board offers no Take on it; a second click or another tab is not an error.
    client.force_login(member)
    task = tasks["mine"]
    before = list(task.history.values_list("pk", flat=True))
    response = client.post(f"/teams/operations/tasks/{task.number}/take/")
    assert response.status_code == 302
    assert list(task.history.values_list("pk", flat=True)) == before


def test_an_archived_task_cannot_be_taken(client, tasks, member):
    task = task_update(actor=member, task=tasks["nobody"], is_archived=True)
    client.force_login(member)
    response = client.post(f"/teams/operations/tasks/{task.number}/take/")
    assert response.status_code == 400 and task_perms.TAKE_NOT_OPEN in response.content.decode()
    assert not Task.objects.get(pk=task.pk).assignees.exists()


def test_a_taken_card_no_longer_offers_take(client, tasks, member, htmx):
    client.force_login(member)
    response = client.post(f"/teams/operations/tasks/{tasks['nobody'].number}/take/", **htmx)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-take-form" not in html and "data-move-form" in html
