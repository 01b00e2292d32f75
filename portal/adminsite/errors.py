"""The error pages (403, 404, 500) in the admin's look: what each says.

Django's error views render `403.html`, `404.html` and `500.html`; the first two are drawn
by the `error_page` template tag (portal_admin) in the admin's layout, with the sidebar for
people who use the admin; `500.html` stands alone and needs neither the database nor a user.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorPage:
    title: str
    message: str
    icon: str


FORBIDDEN = ErrorPage(
    title="You cannot open this page",
    message=(
        "Your role does not let you see or do this. If you need it, ask a lead of your team "
        "or an administrator."
    ),
    icon="block",
)
NOT_FOUND = ErrorPage(
    title="Page not found",
    message="There is nothing at this address, or it belongs to a team you are not in.",
    icon="search_off",
)
SERVER_ERROR = ErrorPage(
    title="Something went wrong on our side",
    message="The error has been logged. Please try again in a moment.",
    icon="error",
)
PAGES = {403: FORBIDDEN, 404: NOT_FOUND, 500: SERVER_ERROR}
