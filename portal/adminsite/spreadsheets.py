"""The admin's spreadsheet door: Export and Import on a changelist, in unfold's skin.

An admin class lists its resource in `resource_classes` and puts `SpreadsheetAdmin` (or
`SpreadsheetExportAdmin`, for export only) first in its bases: the mixins have no ModelAdmin of
their own, so they must come before the one they extend. Exports read the changelist's own
queryset (the selector plus the current filters and search) and are written by the portal's
streaming writers, which neutralise formulas. Imports are read by the portal's reader (limits,
hostile files), previewed as a dry run with counts and every error at its cell, and written on
Confirm by the resource, through the services, all or nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from portal.core.resources import template_bytes
from portal.core.spreadsheets import (
    CONTENT_TYPES,
    XLSX_CORRUPT,
    SpreadsheetError,
    as_bytes,
    check_size,
    file_format_of,
    read_table,
    upload_limits,
)
from portal.teams import permissions as perms

IMPORT_DONE = "Import finished: {new} new, {updated} updated, {unchanged} unchanged {things}."
IMPORT_STOPPED = "Nothing was imported: {errors} error(s), first {first}. Upload the file again."
FORMAT_MISMATCH = "This is a {found} file: choose {found} as the format."


class _SheetFormat:
    """Read uploads with the portal's reader: limits, and a message for every bad file."""

    def is_binary(self):
        return True  # the reader decodes CSV itself (UTF-8, with or without a BOM)

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return read_table(in_stream, self.get_extension(), **upload_limits())


class SheetXLSX(_SheetFormat, XLSX):
    pass


class SheetCSV(_SheetFormat, CSV):
    pass


class SheetImportForm(ImportForm):
    """unfold's import form, refusing files over the size limit or of another format."""

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        try:
            check_size(upload.size, upload_limits()["max_bytes"])
            found = file_format_of(upload.name)
        except SpreadsheetError as exc:
            raise ValidationError({"import_file": str(exc)}) from None
        chosen = cleaned.get("format")
        titles = dict(self.fields["format"].choices)
        if chosen is not None and titles.get(chosen, "").lower() != found:
            raise ValidationError({"format": FORMAT_MISMATCH.format(found=found.upper())})
        return cleaned


class SpreadsheetExportAdmin(ExportActionMixin):
    """Export on the changelist and as an action on selected rows, for anyone who sees the list."""

    formats = [SheetXLSX, SheetCSV]
    export_form_class = ExportForm
    # The change form stays the admin class's own (no per-object export button).
    change_form_template = None
    show_change_form_export = False

    def has_export_permission(self, request):
        return perms.can_use_portal(request.user)

    def get_valid_export_item_pks(self, request):
        # Selected rows are checked against what this person may see (not the whole table).
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        export_form = kwargs.get("export_form")
        resource = self.choose_export_resource_class(export_form, request)()
        return as_bytes(file_format.get_extension(), resource.headers(), resource.rows(queryset))

    def get_export_filename(self, request, queryset, file_format):
        day = timezone.localdate().isoformat()
        return f"{self.model._meta.verbose_name_plural}-{day}.{file_format.get_extension()}"


class SpreadsheetAdmin(ImportMixin, SpreadsheetExportAdmin):
    """Export, plus Import: upload, dry-run preview with counts and errors, then Confirm."""

    import_form_class = SheetImportForm
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_template_name = "admin/spreadsheets/import.html"
    import_error_display = ("message",)
    # The history of each row (signed by the importer) is the record of an import.
    skip_admin_log = True

    def has_import_permission(self, request):
        return perms.can_write_somewhere(request.user)

    def get_urls(self):
        info = self.get_model_info()
        template = path(
            "import/template/",
            self.admin_site.admin_view(self.import_template_view),
            name="{}_{}_import_template".format(*info),
        )
        return [template, *super().get_urls()]

    def import_template_view(self, request):
        """The import template: XLSX with the columns explained, or ?file_format=csv."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        fmt = "csv" if request.GET.get("file_format") == "csv" else "xlsx"
        resource = self.get_import_resource_classes(request)[0]()
        response = HttpResponse(
            template_bytes(resource, request.user, fmt), content_type=CONTENT_TYPES[fmt]
        )
        name = f"{self.model._meta.verbose_name_plural}-template.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def get_import_context_data(self, **kwargs):
        info = self.get_model_info()
        return {"template_url": reverse("admin:{}_{}_import_template".format(*info))}

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", str(e) if isinstance(e, SpreadsheetError) else XLSX_CORRUPT)

    def process_result(self, result, request):
        if result.problems:  # the data changed between the preview and Confirm
            first = result.problems[0]
            self.message_user(
                request,
                IMPORT_STOPPED.format(
                    errors=len(result.problems),
                    first=f"row {first.row}, {first.label}: {first.message}",
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(
                reverse(
                    "admin:{}_{}_import".format(*self.get_model_info()),
                    current_app=self.admin_site.name,
                )
            )
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        counts = result.counts()
        self.message_user(
            request,
            IMPORT_DONE.format(**counts, things=self.model._meta.verbose_name_plural),
            messages.SUCCESS,
        )
