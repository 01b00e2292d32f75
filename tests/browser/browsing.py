"""Signing in through the admin's login page in a real browser."""

from portal.demo.management.commands.demo import DEMO_USER_PASSWORD


def signed_in_page(
    browser, live_server, username, width=1440, height=900, password=DEMO_USER_PASSWORD
):
    """A page signed in as `username` (a demo person), and the console errors it collects."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page, errors


def phone_overflow(page) -> int:
    """How far the page scrolls sideways (0 when it fits the screen)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
