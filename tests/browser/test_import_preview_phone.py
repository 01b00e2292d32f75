"""The admin's import preview on a phone (390 px wide): error text and warnings wrap inside
the screen instead of running off its edge, and no format needs choosing."""

import pytest
from django.core.management import call_command

from tests.browser.browsing import signed_in_page
from tests.sheets import make_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = 390
LONG_NAME = "someone-" + "x" * 120  # one long word: an unknown person


@pytest.fixture(autouse=True)
def shared_dir(settings, tmp_path):
    settings.SHARED_DIR = tmp_path / "shared"


def _outside(page, selector: str) -> list[dict]:
    """The elements matching `selector` that are cut: wider than their box or past the screen."""
    return page.evaluate(
        """([selector, width]) => [...document.querySelectorAll(selector)]
            .map(e => ({text: e.innerText.slice(0, 60), right: e.getBoundingClientRect().right,
                        scroll: e.scrollWidth, client: e.clientWidth,
                        lines: Math.round(e.getBoundingClientRect().height)}))
            .filter(e => e.right > width || e.scroll > e.client)""",
        [selector, PHONE],
    )


def test_preview_errors_wrap_on_a_phone(browser, live_server, shots, tmp_path):
    call_command("demo", verbosity=0)
    page, errors = signed_in_page(browser, live_server, "olivia", width=PHONE, height=844)
    source = tmp_path / "tasks.csv"
    source.write_bytes(
        make_csv(
            [
                ["key", "team", "title", "assignees"],
                ["OPS-1", "", "Renamed", LONG_NAME],
                ["", "OPS", "x" * 10, "olivia"],
                ["", "NOPE" + "Y" * 40, "y", ""],
            ]
        )
    )
    page.goto(f"{live_server.url}/admin/tasks/task/import/")
    page.set_input_files("input[name=import_file]", str(source))
    page.locator("form[enctype] button[type=submit]").first.click()  # no format chosen
    page.wait_for_load_state("networkidle")
    problems = page.locator(".sheet-problem")
    assert problems.count() == 2
    assert LONG_NAME in problems.first.inner_text()
    assert _outside(page, ".sheet-problem") == []
    # The long message takes several lines rather than one line cut at the screen's edge.
    assert problems.first.bounding_box()["height"] > 40
    page.screenshot(path=shots / "import-errors-phone.png", full_page=True)

    # A preview of changes: the changed cells, old -> new, stay inside the screen too.
    source.write_bytes(make_csv([["key", "title"], ["OPS-1", "Renamed-" + "z" * 150]]))
    page.set_input_files("input[name=import_file]", str(source))
    page.locator("form[enctype] button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#import-changes td.sheet-new").inner_text().startswith("Renamed-")
    assert _outside(page, ".sheet-changes-wrap, #import-changes td") == []
    assert errors == []
