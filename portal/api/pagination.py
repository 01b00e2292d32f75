from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

PAGE_INVALID = "Invalid page: {reason}."


class PagePagination(PageNumberPagination):
    """`?page=` and `?page_size=` (default 25, at most 100); a page past the end is a 400."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "{message}"

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            reason = str(exc.detail).rstrip(".").lower()
            raise ValidationError({"page": [PAGE_INVALID.format(reason=reason)]}) from exc
