"""The new-task form in a real browser: the people and parent pickers follow the chosen team.

priya is in Operations (OPS) and Product Design (DES). Picking DES must offer DES people and
DES tasks only, and the task must save.
"""

from contextlib import nullcontext
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command

from portal.tasks.models import Task
from portal.teams.models import Membership, Team
from tests.browser.browsing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def offered(page, field: str, term: str = "") -> list[str]:
    """Open the select2 picker of `field`, type `term`, and read the choices it offers."""
    close_pickers(page)

    def answer(response) -> bool:
        url = urlparse(response.url)
        return url.path.endswith("/autocomplete/") and parse_qs(url.query).get("term", [""]) == [
            term
        ]

    with page.expect_response(answer) if not term else nullcontext():
        page.click(f"#id_{field} + .select2")
    if term:
        with page.expect_response(answer):
            page.locator(".select2-container--open .select2-search__field").fill(term)
    page.wait_for_selector(".select2-results__option:not(.loading-results)")
    choices = ".select2-results__option[role=option]:not(.loading-results)"
    return [o.strip() for o in page.locator(choices).all_inner_texts()]


def close_pickers(page) -> None:
    # select2 keeps a multiple picker open after a pick; a click on it would close it again.
    page.evaluate("django.jQuery('.admin-autocomplete').select2('close')")


def test_pickers_follow_the_team_chosen_in_the_form(browser, live_server, shots):
    call_command("demo", verbosity=0)
    ops, des = Team.objects.get(key="OPS"), Team.objects.get(key="DES")
    des_people = set(Membership.objects.filter(team=des).values_list("user__username", flat=True))
    ops_only = (
        set(Membership.objects.filter(team=ops).values_list("user__username", flat=True))
        - des_people
    )
    assert ops_only, "the demo needs someone in OPS who is not in DES"
    page, errors = signed_in_page(browser, live_server, "priya")
    page.goto(f"{live_server.url}/admin/tasks/task/add/")

    # OPS first: OPS people are offered; pick one of them
    page.select_option("#id_team", str(ops.pk))
    people = offered(page, "assignees")
    assert people and any(f"({name})" in p for name in ops_only for p in people)
    page.locator(
        ".select2-results__option[role=option]", has_text=f"({sorted(ops_only)[0]})"
    ).click()
    assert page.locator("#id_assignees option:checked").count() == 1

    # then DES: the OPS pick is cleared, and only DES people and DES tasks are offered
    page.select_option("#id_team", str(des.pk))
    assert page.locator("#id_assignees option:checked").count() == 0
    people = offered(page, "assignees")
    assert people
    assert all(p.rsplit("(", 1)[-1].rstrip(")") in des_people for p in people), people
    page.locator(".select2-results__option[role=option]", has_text="(priya)").click()
    parents = offered(page, "parent", "DES")
    assert parents and all(p.startswith("DES-") for p in parents), parents
    assert not offered(page, "parent", "OPS-1")
    parent = offered(page, "parent", "DES-1")
    page.locator(".select2-results__option[role=option]", has_text=parent[0]).first.click()

    page.fill("#id_title", "Picked with the right team")
    page.screenshot(path=shots / "task-add-pickers.png", full_page=True)
    page.click("button[name=_save], input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/tasks/task/")
    task = Task.objects.get(title="Picked with the right team")
    assert task.team == des
    assert [u.username for u in task.assignees.all()] == ["priya"]
    assert task.parent is not None and task.parent.team == des
    assert errors == []
