"""The API's door onto the one task filter set (`portal.tasks.filters.TaskFilter`)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from portal.tasks.filters import filter_tasks


class TaskFilterBackend(DjangoFilterBackend):
    """Filters through `filter_tasks`; the schema's parameters come from the view's filterset."""

    def filter_queryset(self, request, queryset, view):
        try:
            return filter_tasks(queryset, user=request.user, filters=request.query_params)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
