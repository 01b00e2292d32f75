"""Pages of API lists that never count the whole table.

A page used to cost `SELECT COUNT(*)` over every row the person may see: at 100,000 tasks that
scan was most of the response time. The count is now capped: the database counts at most
`COUNT_CAP + 1` rows (`SELECT COUNT(*) FROM (... LIMIT 10001)`). Under the cap the count is
exact; over it the answer says so (`"count": 10000, "count_exact": false` reads "10,000 or
more") and pages are still reachable by number: whether there is a next one is learned by
reading one row more than the page holds.

A list narrowed by a text search (`?search=`) counts to `SEARCH_COUNT_CAP` (1,000) instead:
finding ten thousand matches of a word costs a scan of their text (36 ms at 100,000 tasks,
more than the page itself), and "1,000 or more matches" says all a search box needs to.
"""

from collections.abc import Callable
from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings

PAGE_INVALID = "Invalid page: {reason}."
NUMBER_INVALID = "Enter a whole number from 1 to {maximum}."
NUMBER_REPEATED = "Give this parameter once."
MAX_PAGE = 1_000_000
COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000


class _OpenEndedPage(Page):
    """A page past the counted rows: it knows whether another follows from one extra row."""

    def __init__(self, object_list, number, paginator, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class CappedPaginator(Paginator):
    """Counts `object_list` up to the cap; a page holds `read(object_list)` rows.

    `read` turns the queryset into what a page shows (the task list reads plain rows with
    their joins); the count stays on the queryset itself, so it never pays for those joins.
    """

    cap = COUNT_CAP

    def __init__(
        self,
        object_list,
        per_page,
        *args,
        read: Callable | None = None,
        cap: int | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.read = read
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self) -> int:
        # Which rows are counted does not matter, only how many: no ORDER BY, which would
        # sort every match before the LIMIT.
        return self.object_list.order_by()[: self.cap + 1].count()

    def _rows(self):
        return self.read(self.object_list) if self.read else self.object_list

    @property
    def exact(self) -> bool:
        return self.count <= self.cap

    def validate_number(self, number):
        if self.exact:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.exact:
            # Django's Paginator.page, on the rows the page shows.
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._rows()[bottom:top], number, self)
        rows = list(self._rows()[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return _OpenEndedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)


class PagePagination(PageNumberPagination):
    """`?page=` (1 to MAX_PAGE) and `?page_size=` (1 to 100, default 25).

    A value the schema refuses (0, -1, 101, `null`, the parameter twice) is a 400 on that
    parameter; a page number past the last page is a 404: that page does not exist.
    The body is `{count, count_exact, next, previous, results}`; see the module's docstring.
    """

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "{message}"

    def django_paginator_class(self, queryset, page_size) -> CappedPaginator:
        # A view may read its page differently from what it counts (`page_rows`).
        searched = bool(self.request.query_params.get(api_settings.SEARCH_PARAM, "").strip())
        return CappedPaginator(
            queryset,
            page_size,
            read=getattr(getattr(self, "_view", None), "page_rows", None),
            cap=min(SEARCH_COUNT_CAP, CappedPaginator.cap) if searched else None,
        )

    def paginate_queryset(self, queryset, request, view=None):
        self._view = view
        self._number(request, self.page_query_param, MAX_PAGE)
        self._number(request, self.page_size_query_param, self.max_page_size)
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            reason = str(exc.detail).rstrip(".").lower()
            raise NotFound(PAGE_INVALID.format(reason=reason)) from exc

    @staticmethod
    def _number(request, name: str, maximum: int) -> int | None:
        """The parameter as a whole number from 1 to `maximum`, or None when absent."""
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            raise ValidationError({name: [NUMBER_REPEATED]})
        value = values[0]
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
            raise ValidationError({name: [NUMBER_INVALID.format(maximum=maximum)]})
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        maxima = {self.page_query_param: MAX_PAGE, self.page_size_query_param: self.max_page_size}
        for parameter in parameters:
            maximum = maxima.get(parameter["name"])
            if maximum is not None:
                parameter["schema"].update(minimum=1, maximum=maximum)
        return parameters

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": min(paginator.count, paginator.cap),
                "count_exact": paginator.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"How many rows match, counted up to {COUNT_CAP} ({SEARCH_COUNT_CAP} with `search`)."
        )
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": (
                f"false when more than {COUNT_CAP} rows match ({SEARCH_COUNT_CAP} with "
                '`search`): "count" is then a floor.'
            ),
            "example": True,
        }
        response["required"] = [*response.get("required", []), "count_exact"]
        return response
