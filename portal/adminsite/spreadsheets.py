"""The admin's spreadsheet door: Export and Import on a changelist, in unfold's skin.

An admin class lists its resource in `resource_classes` and says `spreadsheet = "import"` (or
`"export"`, for export only); the site registers it with `SpreadsheetAdmin` (or
`SpreadsheetExportAdmin`) first in its bases (`with_spreadsheets`): the mixins have no ModelAdmin
of their own, so they must come before the one they extend. Exports read the changelist's own
queryset (the selector plus the current filters and search) and are written by the portal's
streaming writers, which neutralise formulas. Imports are read by the portal's reader (limits,
hostile files), previewed as a dry run with counts and every error at its cell, and written on
Confirm by the resource, through the services, all or nothing.
"""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm
from import_export.tmp_storages import TempFolderStorage
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.widgets import UnfoldBooleanSwitchWidget

from portal.adminsite.exports import ExportFiltersGuard
from portal.adminsite.spreadsheet_jobs import (  # noqa: F401 (the job pages' messages)
    JOB_CONFIRMED,
    JOB_RERUN,
    JOB_STARTED,
    BackgroundSheets,
    _BackgroundImport,
)
from portal.core.resources import template_bytes
from portal.core.spreadsheets import XLSX_CORRUPT, SpreadsheetError, download, export_name
from portal.spreadsheets.services import (
    check_upload_size,
    read_upload,
    upload_format,
)
from portal.teams import permissions as perms

IMPORT_DONE = "Import finished: {new} new, {updated} updated, {unchanged} unchanged {things}."
IMPORT_STOPPED = "Nothing was imported: {errors} error(s), first {first}. Upload the file again."
FORMAT_MISMATCH = "This is a {found} file: choose {found} as the format."
UPLOAD_GONE = "The uploaded file is no longer there: upload it again."


class _SheetFormat:
    """Read uploads with the portal's reader: limits, and a message for every bad file."""

    def is_binary(self):
        return True  # the reader decodes CSV itself (UTF-8, with or without a BOM)

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return read_upload(in_stream, self.get_extension())


class SheetXLSX(_SheetFormat, XLSX):
    pass


class SheetCSV(_SheetFormat, CSV):
    pass


class SharedTempStorage(TempFolderStorage):
    """Uploads waiting for Confirm are kept in SHARED_DIR, which every web process shares
    (a confirm may reach another process or container than the preview did)."""

    def save(self, data):
        if not self.name:
            self.name = uuid4().hex
        with open(self.get_full_path(), "wb" if isinstance(data, bytes) else "w") as out:
            out.write(data)

    def get_full_path(self):
        folder = Path(settings.SHARED_DIR) / "imports" / "waiting"
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / Path(self.name).name)


SKIP_LOOKALIKES_LABEL = "Skip rows that look like existing tasks"
SKIP_LOOKALIKES_HELP = (
    "Rows without a key whose team, title and due day are those of a task that exists are "
    "left out; the preview names them either way."
)
FORMAT_DETECT = "Detect from the file"


class SheetImportForm(ImportForm):
    """unfold's import form: the format is detected from the file's name and bytes (a choice,
    if made, must agree), files over the size limit are refused, and a sheet with look-alike
    rows (tasks) offers to skip them."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        field = self.fields["format"]
        field.required = False
        field.choices = [("", FORMAT_DETECT), *[c for c in field.choices if c[0] != ""]]
        if getattr(resources[0], "has_lookalikes", False):
            self.fields["skip_lookalikes"] = forms.BooleanField(
                label=SKIP_LOOKALIKES_LABEL,
                help_text=SKIP_LOOKALIKES_HELP,
                required=False,
                widget=UnfoldBooleanSwitchWidget,
            )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        titles = dict(self.fields["format"].choices)
        chosen = cleaned.get("format") or ""
        try:
            check_upload_size(upload.size)
            data = b"".join(upload.chunks())
            upload.seek(0)
            found = upload_format(upload.name, data)
        except SpreadsheetError as exc:
            raise ValidationError({"import_file": str(exc)}) from None
        if chosen and titles.get(chosen, "").lower() != found:
            raise ValidationError({"format": FORMAT_MISMATCH.format(found=found.upper())})
        # import-export reads the format's position in its list of formats.
        cleaned["format"] = next(key for key, title in titles.items() if title.lower() == found)
        cleaned["detected_format"] = found
        return cleaned


class SheetConfirmImportForm(ConfirmImportForm):
    """The Confirm form carries the preview's choice of skipping look-alike rows."""

    skip_lookalikes = forms.BooleanField(widget=forms.HiddenInput(), required=False)


class _Export(ExportFiltersGuard, ExportActionMixin):
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


class _Import(ImportMixin, _Export):
    tmp_storage_class = SharedTempStorage

    import_form_class = SheetImportForm
    confirm_form_class = SheetConfirmImportForm
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
        name = export_name(f"{self.model._meta.verbose_name_plural}-template", fmt, dated=False)
        return download(template_bytes(resource, request.user, fmt), fmt, name)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["skip_lookalikes"] = import_form.cleaned_data.get("skip_lookalikes", False)
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        skip = bool(form.cleaned_data.get("skip_lookalikes")) if form is not None else False
        return {**super().get_import_data_kwargs(**kwargs), "skip_lookalikes": skip}

    def get_import_context_data(self, **kwargs):
        info = self.get_model_info()
        return {
            "template_url": reverse("admin:{}_{}_import_template".format(*info)),
            "skip_lookalikes_label": SKIP_LOOKALIKES_LABEL,
        }

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", str(e) if isinstance(e, SpreadsheetError) else XLSX_CORRUPT)

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:  # cleaned up meanwhile, or a confirm sent twice
            self.message_user(request, UPLOAD_GONE, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:{}_{}_import".format(*self.get_model_info()))
            )

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


class SpreadsheetExportAdmin(BackgroundSheets, _Export):
    """Export on the changelist and as an action on selected rows; big exports run as jobs."""


class SpreadsheetAdmin(_BackgroundImport, BackgroundSheets, _Import):
    """Export, plus Import: upload, dry-run preview with counts and errors, then Confirm."""


SPREADSHEET_VIEWS = {"export": SpreadsheetExportAdmin, "import": SpreadsheetAdmin}


def with_spreadsheets(admin_class):
    """The admin class with the spreadsheet views its `spreadsheet` attribute names, if any.

    The site calls it for every registered admin, so the apps' admins (below this door) only
    declare `spreadsheet = "import"` or `"export"` beside their `resource_classes`. The views go
    into the class's own bases just before its first ModelAdmin, where a class that imported
    the door would have listed them: the class's own attributes (`resource_classes`, the list
    template) still win over the mixins' defaults, and its methods' `super()` stays the same.
    """
    kind = getattr(admin_class, "spreadsheet", "")
    if not kind:
        return admin_class
    views = SPREADSHEET_VIEWS[kind]
    if issubclass(admin_class, views):
        return admin_class
    bases = admin_class.__bases__
    at = next(i for i, base in enumerate(bases) if issubclass(base, ModelAdmin))
    admin_class.__bases__ = (*bases[:at], views, *bases[at:])
    return admin_class
