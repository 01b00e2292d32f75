"""The API's spreadsheet door: export the task list as CSV or XLSX (and import it).

`GET /api/tasks/export/?file_format=xlsx&status=todo` takes the task list's filters (the one
task filter set); DRF reserves `format`, hence `file_format`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from portal.core.spreadsheets import CONTENT_TYPES, FORMATS, as_bytes
from portal.tasks.filters import TaskFilter
from portal.tasks.resources import TaskResource
from portal.tasks.selectors import task_list

FILE_FORMAT_INVALID = "Choose csv or xlsx."
FILTER_PARAMETERS = [
    OpenApiParameter(name, str, description=str(f.extra.get("help_text") or ""))
    for name, f in TaskFilter.base_filters.items()
]
FILE_FORMAT_PARAMETER = OpenApiParameter(
    "file_format", str, enum=list(FORMATS), default="csv", description="csv or xlsx."
)


def _file_format(value: str | None) -> str:
    fmt = (value or "csv").strip().lower()
    if fmt not in FORMATS:
        raise ValidationError({"file_format": [FILE_FORMAT_INVALID]})
    return fmt


def attachment(content: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{stem}-{day}.{fmt}"'
    return response


class TaskExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Export the task list as CSV or XLSX",
        description="The list's filters apply; only tasks of your teams are exported. Text "
        "that a spreadsheet would run as a formula is prefixed with a single quote.",
        parameters=[FILE_FORMAT_PARAMETER, *FILTER_PARAMETERS],
        responses={
            (200, CONTENT_TYPES["csv"].split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request):
        fmt = _file_format(request.query_params.get("file_format"))
        filters = request.query_params.copy()
        filters.pop("file_format", None)
        try:
            queryset = task_list(fetched_by=request.user, filters=filters)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        resource = TaskResource()
        return attachment(as_bytes(fmt, resource.headers(), resource.rows(queryset)), fmt, "tasks")
