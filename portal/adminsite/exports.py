"""Export pages that answer an address the list cannot filter by with a message, not a 500.

import-export builds the list's own ChangeList for the export's rows, so an address with a
parameter the list does not know (`?foo=1`, `?archived=all`, the API's `?due_before=...`)
raised FieldError there. The list itself sends such an address back to its unfiltered page;
the export does the same and says why, rather than exporting every row without asking.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponseRedirect
from django.urls import reverse

EXPORT_FILTERS_UNKNOWN = (
    "The export's address has filters this list does not know: choose the filters on the "
    "list, then export again."
)


class ExportFiltersGuard:
    """For admin classes with import-export's export page (before its mixin in the bases)."""

    def export_action(self, request):
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            messages.error(request, EXPORT_FILTERS_UNKNOWN)
            opts = self.opts
            url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
            return HttpResponseRedirect(url)
