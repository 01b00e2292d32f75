"""The admin's spreadsheet door: Export (and Import) on a changelist, in unfold's skin.

An admin class lists its resource in `resource_classes` and puts `SpreadsheetAdmin` first in
its bases (the mixin has no ModelAdmin of its own, so it must come before the one it extends).
Exports read the changelist's own queryset (the selector plus the current filters and search)
and are written by the portal's streaming writers, which neutralise formulas.
"""

from __future__ import annotations

from django.utils import timezone
from import_export.admin import ExportActionMixin
from import_export.formats.base_formats import CSV, XLSX
from unfold.contrib.import_export.forms import ExportForm

from portal.core.spreadsheets import as_bytes
from portal.teams import permissions as perms


class SpreadsheetAdmin(ExportActionMixin):
    """Export on the changelist and as an action on selected rows, for anyone who sees the list."""

    formats = [XLSX, CSV]
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
