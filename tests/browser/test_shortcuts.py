"""The team pages' keyboard shortcuts in a real browser (static/portal/shortcuts.js): marcus
works the Operations list, board and calendar with j/k, o/Enter, e, a, c, / and ?; no shortcut
fires while he types in a field or holds Ctrl, Alt or Meta; the ? dialog opens, closes with
Escape and passes axe-core at desktop and phone width; priya (two teams) chooses the team of a
new task from My work; tom (a viewer) is told what he may not do. Screenshots go to
$SCREENSHOT_DIR."""

from __future__ import annotations

import pytest

from portal.accounts.models import User
from portal.tasks.models import Task
from tests.browser.test_team_pages import PHONE, Visit, demo  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUS = "#pages-status"


def said(page, text: str) -> None:
    """The status line (role=status, read by screen readers) says `text`."""
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel).textContent.includes(text)",
        arg=[STATUS, text],
    )


def current_key(page) -> str | None:
    return page.evaluate(
        "() => { const el = document.querySelector('.is-shortcut-current');"
        " return el && (el.dataset.key || el.dataset.task); }"
    )


def focused(page, expression: str = "el.id"):
    return page.evaluate(f"() => {{ const el = document.activeElement; return {expression}; }}")


def task_of(key: str) -> Task:
    team_key, number = key.split("-")
    return Task.objects.get(team__key=team_key, number=int(number))


def test_marcus_works_the_list_with_the_keyboard(browser, live_server, demo, shots):  # noqa: F811
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/tasks/", "#task-table")
    rows = page.locator("tr[data-task-url]")
    first, second = rows.nth(0).get_attribute("data-task"), rows.nth(1).get_attribute("data-task")
    first_url = rows.nth(0).get_attribute("data-task-url")

    # j and k move a visible focus through the rows; each move is announced.
    page.keyboard.press("j")
    said(page, f"Task {first} focused")
    assert current_key(page) == first
    assert focused(page, "el.closest('tr').dataset.task") == first
    page.keyboard.press("j")
    said(page, f"Task {second} focused")
    page.keyboard.press("k")
    said(page, f"Task {first} focused")
    assert current_key(page) == first
    page.screenshot(path=shots / "team-list-keyboard.png")

    # Nothing fires with Ctrl, Alt or Meta held.
    page.keyboard.press("Alt+j")
    page.keyboard.press("Control+k")
    assert current_key(page) == first

    # o opens the task; on its page e goes to the edit form's first field.
    with page.expect_navigation():
        page.keyboard.press("o")
    assert page.url.endswith(first_url)
    page.wait_for_selector("#task-edit")
    page.keyboard.press("e")
    said(page, f"Editing {first}")
    assert focused(page) == "edit-title"  # the title field

    # Typing in a field is typing: no shortcut fires, the letters land in the field. (Leaving
    # the form afterwards asks first: the test says yes.)
    page.on("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("End")
    page.keyboard.type(" jkeao/?c")
    assert page.input_value("#edit-title").endswith(" jkeao/?c")
    assert not page.is_visible("#shortcuts")
    assert page.url.endswith(first_url)
    page.evaluate("() => document.activeElement.blur()")
    # The same in the comment box and the search box.
    page.focus("textarea[name=body]")
    page.keyboard.type("j k")
    assert page.input_value("textarea[name=body]") == "j k"
    page.fill("textarea[name=body]", "")

    # Back on the list: Enter on the focused row opens it too; e opens its edit form.
    visit.open("/teams/operations/tasks/", "#task-table")
    page.keyboard.press("j")
    said(page, f"Task {first} focused")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(first_url)
    visit.open("/teams/operations/tasks/", "#task-table")
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("e")
    assert page.url.endswith("#task-edit")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'edit-title'"
    )

    # a assigns the focused task to me with the take address (POST, CSRF); the page is read
    # again to show the new assignee and says so.
    visit.open("/teams/operations/tasks/", "#task-table")
    takeable = page.eval_on_selector_all(
        "tr[data-task-url]", "rows => rows.findIndex(r => r.dataset.takeUrl)"
    )
    assert takeable >= 0
    for _ in range(takeable + 1):
        page.keyboard.press("j")
    key = current_key(page)
    marcus = User.objects.get(username="marcus")
    assert marcus not in task_of(key).assignees.all()
    with page.expect_navigation():
        page.keyboard.press("a")
    said(page, f"{key} is now assigned to you.")
    assert current_key(page) == key
    assert marcus in task_of(key).assignees.all()
    assert page.locator(f"tr[data-task='{key}']").get_attribute("data-take-url") is None
    # Again: not offered any more, and the page says why.
    page.keyboard.press("a")
    said(page, f"{key} cannot be assigned to you here")

    # / focuses the search box; c opens the team's new-task form.
    page.keyboard.press("/")
    assert focused(page) == "site-search"
    page.keyboard.type("j")
    assert page.input_value("#site-search") == "j"
    page.evaluate("() => document.activeElement.blur()")
    with page.expect_navigation():
        page.keyboard.press("c")
    assert page.url.endswith("/teams/operations/tasks/new/")
    visit.clean()


def test_board_and_calendar_shortcuts(browser, live_server, demo):  # noqa: F811
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/", "#board")
    cards = page.locator("[data-card][data-task-url]")
    first = cards.nth(0).get_attribute("data-key")
    page.keyboard.press("j")
    said(page, f"Task {first} focused")
    assert focused(page, "el.closest('[data-card]').dataset.key") == first
    # a on a card that may be taken: the card is replaced in place, the column says so.
    takeable = page.eval_on_selector_all(
        "[data-card][data-task-url]", "cards => cards.findIndex(c => c.dataset.takeUrl)"
    )
    for _ in range(takeable):
        page.keyboard.press("j")
    key = current_key(page)
    page.keyboard.press("a")
    said(page, f"{key} is now assigned to you.")
    assert User.objects.get(username="marcus") in task_of(key).assignees.all()
    page.wait_for_function(
        f"() => !document.querySelector(\"[data-card][data-key='{key}']\").dataset.takeUrl"
    )
    # The calendar's items: j focuses the first, o opens it.
    visit.open("/teams/operations/calendar/", "#calendar")
    item = page.locator("li.cal-task").first
    item_key, item_url = item.get_attribute("data-task"), item.get_attribute("data-task-url")
    page.keyboard.press("j")
    said(page, f"Task {item_key} focused")
    assert focused(page, "el.className") == "cal-link"
    with page.expect_navigation():
        page.keyboard.press("o")
    assert page.url.endswith(item_url)
    visit.clean()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_shortcuts_dialog(browser, live_server, demo, shots, viewport):  # noqa: F811
    visit = Visit(browser, live_server, **({"viewport": viewport} if viewport else {}))
    page = visit.page
    visit.sign_in("marcus")
    visit.open("/teams/operations/tasks/", "#task-table")
    assert not page.is_visible("#shortcuts")
    page.keyboard.press("?")
    page.wait_for_selector("#shortcuts[open]")
    assert page.is_visible("#shortcuts-title")
    assert focused(page, "el.matches('[data-shortcuts-close]')")
    # While it is open the page's shortcuts wait (j would move behind the dialog).
    page.keyboard.press("j")
    assert current_key(page) is None
    visit.accessible()
    name = "shortcuts-dialog" + ("-phone" if viewport else "")
    page.screenshot(path=shots / f"{name}.png")
    page.keyboard.press("Escape")
    page.wait_for_selector("#shortcuts", state="hidden")
    # The footer's button opens it too, and Close closes it and gives the focus back.
    footer = page.locator("[data-shortcuts-open]")
    assert footer.is_visible()
    footer.click()
    page.wait_for_selector("#shortcuts[open]")
    page.click("[data-shortcuts-close]")
    page.wait_for_selector("#shortcuts", state="hidden")
    assert focused(page, "el.matches('[data-shortcuts-open]')")
    if viewport:
        # The calendar at phone width (its agenda) with the dialog open passes axe too.
        visit.open("/teams/operations/calendar/", "#calendar")
        page.keyboard.press("?")
        page.wait_for_selector("#shortcuts[open]")
        visit.accessible()
        visit.no_sideways_scroll()
    visit.clean()


def test_new_task_from_my_work_and_what_a_viewer_is_told(browser, live_server, demo):  # noqa: F811
    # priya writes in two teams: c on My work asks which.
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("priya")
    visit.open("/tasks/", "#main")
    page.keyboard.press("c")
    page.wait_for_selector("#shortcuts[open]")
    said(page, "Choose the team of the new task.")
    links = page.locator("#shortcuts a[data-new-task]")
    assert links.count() == 2
    assert focused(page, "el.dataset.newTask !== undefined")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/tasks/new/")
    visit.clean()
    visit.context.close()

    # marcus writes in one: c on My work opens its form at once.
    visit = Visit(browser, live_server)
    visit.sign_in("marcus")
    visit.open("/tasks/?assignee=anyone", "#main")
    with visit.page.expect_navigation():
        visit.page.keyboard.press("c")
    assert visit.page.url.endswith("/teams/operations/tasks/new/")
    visit.context.close()

    # tom reads Operations: no edit, no take, no new task; each key says so.
    visit = Visit(browser, live_server)
    page = visit.page
    visit.sign_in("tom")
    visit.open("/teams/operations/tasks/", "#task-table")
    assert page.locator("tr[data-edit-url], tr[data-take-url]").count() == 0
    page.keyboard.press("j")
    key = current_key(page)
    page.keyboard.press("e")
    said(page, f"You may not edit {key}.")
    page.keyboard.press("a")
    said(page, f"{key} cannot be assigned to you here")
    page.keyboard.press("c")
    said(page, "You may not create tasks here.")
    assert page.url.endswith("/teams/operations/tasks/")
    visit.clean()
