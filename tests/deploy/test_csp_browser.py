"""The Content-Security-Policy, in a real browser, on the pages people use.

The portal runs as it does in production (gunicorn, DEBUG off, hashed static files served by
whitenoise, the enforced policy) and, separately, as a developer runs it (DEBUG on). Chromium
visits the admin (login, dashboard, lists, forms, history), allauth's login page, the team
pages (board, task, reports) and the API docs (Swagger UI and ReDoc) and must report no CSP violation and no console error.
The test reaches the server over plain HTTP, so the HTTPS redirect and secure-only cookies
are off here; every other production setting is as deployed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import requests

from portal.demo.management.commands.demo import DEMO_ADMIN, DEMO_ADMIN_PASSWORD
from tests.deploy.conftest import manage, production_env
from tests.deploy.servers import free_port, wait_until

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Record violations from the page itself as well as the console (both say what was blocked).
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture(scope="module", params=["production", "development"])
def portal_server(request, tmp_path_factory, image_root, collected_static):
    tmp = tmp_path_factory.mktemp(f"csp-{request.param}")
    port = free_port()
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}",
        VAR_DIR=str(tmp),
        SHARED_DIR=str(tmp / "shared"),
        STATIC_ROOT=str(collected_static),
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    if request.param == "development":
        env.update(DEBUG="true")
    for command in (("migrate", "--noinput"), ("demo",)):
        result = manage(*command, env=env, cwd=image_root)
        assert result.returncode == 0, result.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "portal/gunicorn.conf.py"],
        cwd=image_root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(f"{url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:  # not up yet, or too busy to answer in time
            return False

    try:
        wait_until(up, timeout=30, what="gunicorn to answer")
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Visit:
    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1440, "height": 900})
        self.context.add_init_script(COLLECT_VIOLATIONS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on(
            "console", lambda m: self.console.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda exc: self.console.append(str(exc)))
        self.problems: dict[str, list[str]] = {}

    def open(self, path: str, ready: str | None = None) -> None:
        self.console.clear()
        response = self.page.goto(self.base_url + path)
        assert response.status < 400, (path, response.status)
        csp = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp, (path, response.headers)
        if ready:
            self.page.wait_for_selector(ready, timeout=15_000)
        self.page.wait_for_load_state("networkidle")
        # Nothing is fetched from another host (ReDoc's Redocly logo included), so nothing
        # fails to load on a machine without internet either.
        found = self.page.evaluate("window.__csp") + self.console
        if found:
            self.problems[path] = found


def test_pages_work_under_the_content_security_policy(browser, portal_server):
    visit = Visit(browser, portal_server)
    visit.open("/accounts/login/", "form")
    visit.open("/admin/login/", "input[name=username]")
    visit.page.fill("input[name=username]", DEMO_ADMIN)
    visit.page.fill("input[name=password]", DEMO_ADMIN_PASSWORD)
    visit.page.click("button[type=submit]")
    visit.page.wait_for_url(f"{portal_server}/admin/")
    visit.open("/admin/", "#content, main")
    visit.open("/admin/tasks/task/", "#result_list")
    # Alpine-driven widgets: open the first row's task form and the add form.
    first = visit.page.locator("#result_list tbody tr a").first.get_attribute("href")
    visit.open(first, "#task_form")
    visit.open(first.replace("/change/", "/history/"), "#content, main")
    visit.open("/admin/tasks/task/add/", "#task_form")
    visit.open("/admin/teams/team/", "#result_list")
    # The team pages: htmx, unfold's Chart.js and the pages' own script, all from static.
    visit.open("/teams/", "#teams")
    visit.open("/teams/operations/", "#board")
    visit.open("/teams/operations/tasks/1/", "#task-title")
    visit.open("/teams/operations/reports/", "canvas.chart")
    visit.open("/api/docs/", ".swagger-ui .info")
    visit.open("/api/redoc/", "redoc, #redoc-container, .api-content")
    # A violation would have been recorded by the listener; nothing was.
    assert visit.problems == {}
    assert visit.page.evaluate("typeof window.__csp") == "object"
