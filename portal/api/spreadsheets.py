"""The API's spreadsheet door: export the task list as CSV or XLSX, and import a task sheet.

`GET /api/tasks/export/?file_format=xlsx&status=todo` takes the task list's filters (the one
task filter set); DRF reserves `format`, hence `file_format`. `POST /api/tasks/import/`
(multipart: `file`, `dry_run`) answers the counts and every error with its row and cell, as the
admin's preview shows them; a file with any error imports nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.filters import choice_pattern, task_filter_parameters
from portal.core.resources import template_bytes
from portal.core.spreadsheets import CONTENT_TYPES, FORMATS, SpreadsheetError, download, export_name
from portal.spreadsheets.services import (
    check_upload_size,
    sheet_export,
    sheet_file,
    sheet_import,
    sheet_job_for,
)
from portal.tasks.resources import TaskResource
from portal.tasks.selectors import task_list
from portal.teams.permissions import can_write_somewhere

FILE_FORMAT_INVALID = "Choose csv or xlsx."
FILTER_PARAMETERS = task_filter_parameters()


def file_format_parameter(default: str) -> OpenApiParameter:
    """csv or xlsx in any case; empty means the default."""
    schema = {**choice_pattern(FORMATS), "default": default}
    return OpenApiParameter("file_format", schema, description="csv or xlsx.")


FILE_FORMAT_PARAMETER = file_format_parameter("csv")


def _file_format(value: str | None) -> str:
    fmt = (value or "csv").strip().lower()
    if fmt not in FORMATS:
        raise ValidationError({"file_format": [FILE_FORMAT_INVALID]})
    return fmt


def attachment(content: bytes, fmt: str, stem: str) -> HttpResponse:
    return download(content, fmt, export_name(stem, fmt))


IMPORT_DENIED = "Only leads and members of a team can import tasks."
BACKGROUND = (
    "More rows than SPREADSHEET_BACKGROUND_ROWS: the work runs as a background job; follow "
    "`url` for its progress and result (an export's `download`)."
)


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    step = serializers.CharField()
    error = serializers.CharField()
    result = serializers.DictField(help_text="An import's counts and problems; an export's rows.")
    url = serializers.CharField()
    download = serializers.CharField(allow_null=True)


def job_body(request, job) -> dict:
    download = (
        request.build_absolute_uri(reverse("api:spreadsheet-job-download", args=[job.pk]))
        if sheet_file(job)
        else None
    )
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "step": job.message,
        "error": job.error,
        "result": job.result or {},
        "url": request.build_absolute_uri(reverse("api:spreadsheet-job", args=[job.pk])),
        "download": download,
    }


def job_accepted(request, job) -> Response:
    return Response(job_body(request, job), status=status.HTTP_202_ACCEPTED)


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
            202: OpenApiResponse(JobSerializer, description=BACKGROUND),
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
        # A background job reads the filters again as plain values.
        plain = {k: ",".join(filters.getlist(k)) for k in filters if filters.get(k) != ""}
        export = sheet_export(
            user=request.user, sheet="tasks", fmt=fmt, rows=queryset, filters=plain
        )
        return export.response() if export.job is None else job_accepted(request, export.job)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV (UTF-8) or XLSX file with the task sheet.")
    dry_run = serializers.BooleanField(
        default=True,
        help_text="true (the default): check and count only; false: import, all or nothing.",
    )
    skip_lookalikes = serializers.BooleanField(
        default=False,
        help_text="true: leave out rows without a key that look like a task that exists (same "
        "team, same title, same due day); the answer's `warnings` name them either way.",
    )


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row of the sheet; 1 is the header row.")
    column = serializers.CharField()
    cell = serializers.CharField(help_text="Such as G5; empty when the column is missing.")
    message = serializers.CharField()


class ImportChangeSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row of the sheet; 1 is the header row.")
    key = serializers.CharField(help_text="The task's key, such as OPS-42.")
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2),
        help_text='The cells that change, as {"column": ["old", "new"]} (as the sheet shows '
        "them); unchanged cells are not listed.",
    )


class ImportLookalikeSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    key = serializers.CharField(help_text="The task that exists which the row looks like.")


class ImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    skipped = serializers.IntegerField(
        help_text="Rows left out as look-alikes of existing tasks (`skip_lookalikes`)."
    )
    problems = ImportProblemSerializer(many=True)
    changes = ImportChangeSerializer(many=True, help_text="Each updated row's changed cells.")
    lookalikes = ImportLookalikeSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    imported = serializers.BooleanField(help_text="Whether anything was written.")


class TaskImportView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import a task sheet (CSV or XLSX)",
        description="Rows with a key change that task; rows without one add a task to their "
        "team. Answers the counts and every error with its row and cell. With any error nothing "
        "is imported and the answer is 400 with the same body (`imported: false`); a file that "
        'cannot be read answers 400 `{"file": ["message"]}`.',
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportResultSerializer,
            202: OpenApiResponse(JobSerializer, description=BACKGROUND),
        },
    )
    def post(self, request):
        if not can_write_somewhere(request.user):
            raise PermissionDenied(IMPORT_DENIED)
        payload = ImportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        dry_run = payload.validated_data["dry_run"]
        try:
            check_upload_size(upload.size)
            outcome = sheet_import(
                user=request.user,
                sheet="tasks",
                data=upload.read(),
                name=upload.name,
                dry_run=dry_run,
                skip_lookalikes=payload.validated_data["skip_lookalikes"],
            )
        except SpreadsheetError as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        if outcome.job is not None:
            return job_accepted(request, outcome.job)
        result = outcome.result
        body = {**result.summary(), "imported": not dry_run and not result.problems}
        return Response(body, status=status.HTTP_400_BAD_REQUEST if result.problems else 200)


class TaskImportTemplateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The task sheet's import template",
        description="The header row and one example row; the XLSX has a second sheet that "
        "explains each column and its values (statuses, priorities, your teams).",
        parameters=[file_format_parameter("xlsx")],
        responses={
            (200, CONTENT_TYPES["csv"].split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request):
        fmt = _file_format(request.query_params.get("file_format") or "xlsx")
        content = template_bytes(TaskResource(), request.user, fmt)
        return attachment(content, fmt, "tasks-template")


class SheetJobView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="A background spreadsheet job: progress and result", responses=JobSerializer
    )
    def get(self, request, pk):
        job = sheet_job_for(request.user, pk)
        if job is None:
            raise NotFound
        return Response(job_body(request, job))


class SheetJobDownloadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Download a background export (kept SPREADSHEET_EXPORT_RETENTION_DAYS days)",
        responses={
            (200, CONTENT_TYPES["csv"].split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request, pk):
        job = sheet_job_for(request.user, pk)
        path = sheet_file(job) if job else None
        if path is None:
            raise NotFound
        name = job.result.get("name", path.name)
        fmt = "xlsx" if name.endswith(".xlsx") else "csv"
        response = FileResponse(path.open("rb"), as_attachment=True, filename=name)
        response["Content-Type"] = CONTENT_TYPES[fmt]
        return response
