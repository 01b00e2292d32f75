"""Shared pieces for the portal's admin classes."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RadioFilter
from unfold.paginator import InfinitePaginator

from portal.core.admin_fields import SafeRelatedFieldsMixin
from portal.tasks.services import BulkResult
from portal.teams.selectors import teams_visible_to


class PortalModelAdmin(SafeRelatedFieldsMixin, ModelAdmin):
    """unfold's ModelAdmin with the portal's defaults.

    Permissions in subclasses come from portal.teams.permissions; writes go through services.
    The infinite paginator never COUNTs the whole table, which keeps large lists fast.
    """

    paginator = InfinitePaginator
    show_full_result_count = False
    list_per_page = 25
    list_filter_submit = True
    compressed_fields = True
    warn_unsaved_form = True

    # Objects outside the person's teams do not exist for them: 404, never a hint.
    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(f"No {opts.verbose_name} matches the given query.")

    def delete_view(self, request, object_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404(f"No {self.opts.verbose_name} matches the given query.")
        return super().delete_view(request, object_id, extra_context)


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history page, scoped like the change page and without reverting."""

    def history_view(self, request, object_id, extra_context=None):
        # Outsiders get 404, as on the change page (simple-history would answer 403).
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting would write around the services; the history list shows every change.
        raise Http404


class TeamFilter(RadioFilter):
    """Filter any list with a `team` by the teams the person can see (never all team names)."""

    title = "team"
    parameter_name = "team"

    def lookups(self, request, model_admin):
        return [(str(t.pk), t.name) for t in teams_visible_to(request.user)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(team_id=int(value)) if value and value.isdigit() else queryset


def report_bulk(modeladmin, request, result: BulkResult, verb: str) -> None:
    """Tell how many tasks changed and which were refused, and why."""
    if result.changed:
        modeladmin.message_user(request, f"{verb} {len(result.changed)} task(s).", messages.SUCCESS)
    if result.refused:
        details = "; ".join(f"{task.key}: {reason}" for task, reason in result.refused[:20])
        more = len(result.refused) - 20
        if more > 0:
            details += f"; and {more} more"
        modeladmin.message_user(
            request, f"{len(result.refused)} task(s) refused - {details}", messages.WARNING
        )
    if not result.changed and not result.refused:
        modeladmin.message_user(request, "No tasks were selected.", messages.INFO)
