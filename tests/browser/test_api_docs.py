"""The API docs in a real browser: nothing comes from another host, and Swagger UI shows no
padlock on the doors that need no token."""

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    hosts: set[str] = set()  # of every http(s) request (ReDoc also starts a blob: worker)

    def record(request):
        url = urlparse(request.url)
        if url.scheme in ("http", "https"):
            hosts.add(url.netloc)

    page.on("request", record)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    return page, hosts, errors


def test_redoc_loads_nothing_from_a_cdn(browser, live_server):
    page, hosts, errors = open_page(browser, f"{live_server.url}/api/redoc/")
    page.wait_for_selector("text=API docs by Redocly")
    page.wait_for_load_state("networkidle")
    assert hosts == {urlparse(live_server.url).netloc}
    logo = page.locator("img[alt='redocly logo']")
    assert logo.count() == 1 and logo.get_attribute("src") is None and logo.is_hidden()
    assert errors == []


def test_swagger_shows_no_padlock_on_sign_in_and_sign_up(browser, live_server):
    page, hosts, errors = open_page(browser, f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock")
    page.wait_for_load_state("networkidle")

    def padlocks(method: str, path: str) -> int:
        block = page.locator(f".opblock-{method}", has=page.locator(f"[data-path='{path}']"))
        assert block.count() == 1, path
        return block.locator(".authorization__btn").count()

    assert padlocks("post", "/api/auth/login/") == 0
    assert padlocks("post", "/api/auth/registration/") == 0
    assert padlocks("post", "/api/auth/password/reset/") == 0
    assert padlocks("get", "/api/auth/user/") == 1  # this one does need a token
    assert hosts == {urlparse(live_server.url).netloc}
    assert errors == []
