"""Requests the portal refuses before any view sees them."""

from django.http import HttpResponseBadRequest

from portal.core.views import is_api, json_error

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
