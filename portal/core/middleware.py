"""Requests the portal refuses before any view sees them, and headers every response gets."""

from django.http import HttpResponseBadRequest
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.utils import timezone
from django.utils.cache import patch_cache_control

from portal.core.views import is_api, json_error
from portal.core.zones import zone

QUERY_NUL = "The address contains a NUL character (%00); remove it and try again."


class RejectNulQueryMiddleware:
    """400 for a NUL character in a query-string name or value, on every door.

    PostgreSQL refuses NUL in text, so a list filter, a search box or an autocomplete term
    holding one would otherwise fail in the database with a 500. Form bodies are checked by
    the forms and serializers themselves, and stored values by the models' full_clean().
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in name or any("\x00" in value for value in values)
            for name, values in request.GET.lists()
        ):
            if is_api(request):
                return json_error(400, QUERY_NUL)
            return HttpResponseBadRequest(QUERY_NUL, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class FrameOptionsMiddleware(XFrameOptionsMiddleware):
    """X-Frame-Options from settings (DENY) on every response, whatever a view's decorator set.

    unfold decorates every admin list and form with `xframe_options_sameorigin` (its related
    object pop-ups open in an iframe), so the admin's pages said SAMEORIGIN while the
    Content-Security-Policy says `frame-ancestors 'none'`, which browsers follow anyway. The
    portal is never framed; a view that must be says so with `xframe_options_exempt`.
    """

    def process_response(self, request, response):
        if not getattr(response, "xframe_options_exempt", False):
            response.headers["X-Frame-Options"] = self.get_xframe_options_value(request, response)
        return response


def is_download(response) -> bool:
    return response.get("Content-Disposition", "").lstrip().lower().startswith("attachment")


class PrivateDownloadMiddleware:
    """`Cache-Control: private, no-store` on every file download, whichever door sent it.

    Exports (the API's, the admin's, the team pages' reports, a background job's file) hold
    what one person may see; no proxy or browser cache may keep a copy for someone else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_download(response):
            patch_cache_control(response, private=True, no_store=True)
        return response


class PersonTimeZoneMiddleware:
    """Times are shown to each person in their own time zone (their profile's `time_zone`), or
    the portal's when they chose none. Days that decide things (a due day, a team's today) are
    the team's, not the viewer's (portal/tasks/due.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = getattr(getattr(request, "user", None), "time_zone", "")
        if name:
            timezone.activate(zone(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
