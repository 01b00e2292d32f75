"""The list's floor over HTTP: one SQL query for the page, its JSON, and nothing else.

The same work as the benchmark's `api_list_*` floor (portal/devtools/floors.py), served by the
same server and middleware as the API, so `make wrk` can read the list's ratio to it in one run.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from portal.devtools import floors

MAX_PAGE_SIZE = 100
BAD_QUERY = "user=<person id> is required; page_size is a whole number from 1 to 100."


@require_GET
def floor_task_list(request: HttpRequest) -> HttpResponse:
    """`?user=<id>&page_size=<n>`: the first page of the tasks of that person's teams."""
    try:
        user_id = int(request.GET["user"])
        size = int(request.GET.get("page_size", 10))
    except (KeyError, ValueError):
        return HttpResponseBadRequest(BAD_QUERY, content_type="text/plain; charset=utf-8")
    if not 1 <= size <= MAX_PAGE_SIZE:
        return HttpResponseBadRequest(BAD_QUERY, content_type="text/plain; charset=utf-8")
    return HttpResponse(floors.list_page(user_id, size), content_type="application/json")
