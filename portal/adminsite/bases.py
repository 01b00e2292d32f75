"""Shared pieces for the portal's admin classes: one service-backed base, written once."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RadioFilter
from unfold.decorators import display
from unfold.paginator import InfinitePage
from unfold.paginator import InfinitePaginator as UnfoldInfinitePaginator

from portal.adminsite.fields import SafeRelatedFieldsMixin
from portal.core.concurrency import RowGone
from portal.core.dates import moment_html
from portal.core.text import count
from portal.core.validators import as_id
from portal.tasks.services import BulkResult
from portal.teams import permissions as perms
from portal.teams.selectors import teams_visible_to


class ShortPageIsLast(InfinitePage):
    def has_next(self):
        # Without a count, a page shorter than a full one is known to be the last.
        return len(self.object_list) >= self.paginator.per_page and super().has_next()


class InfinitePaginator(UnfoldInfinitePaginator):
    """unfold's paginator (no COUNT over the table) that knows a short page is the last, so a
    picker's short list of choices does not end in "Loading more results...".

    unfold's templates recognise it by its class name, which therefore stays the same.
    """

    def _get_page(self, *args, **kwargs):
        return ShortPageIsLast(*args, **kwargs)


def moment_column(field: str, description: str):
    """A list column or read-only field writing `field` in the portal's one date format."""

    @display(description=description, ordering=field)
    def column(modeladmin, obj):
        return moment_html(getattr(obj, field))

    column.__name__ = f"{field}_display"
    return column


class PortalModelAdmin(SafeRelatedFieldsMixin, ModelAdmin):
    """unfold's ModelAdmin with the portal's defaults, writing through the domain's services.

    Subclasses answer the has_*_permission questions from the permission functions and name
    their services in `service_create`, `service_update` and `service_delete`; the glue from the
    admin's forms to those services is here. Lists: the infinite paginator never COUNTs the whole
    table, and there is no bulk "delete selected" (deletions go one by one through a service).
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

    # -- who may open it: anyone in a team, unless a subclass says otherwise --
    def has_module_permission(self, request):
        return perms.can_use_portal(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # -- writes: every save and delete goes through the subclass's services --
    def service_create(self, request, data: dict):
        """Create the object from the form's cleaned data; return it."""
        raise PermissionDenied

    def service_update(self, request, obj, changes: dict):
        """Apply the changed fields to `obj` (as stored, before the form); return it."""
        raise PermissionDenied

    def service_delete(self, request, obj) -> None:
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            stored = self.model._default_manager.filter(pk=obj.pk).first()
            if stored is None:  # deleted while the form was open
                raise RowGone(self.model)
            changes = {name: data[name] for name in form.changed_data if name in data}
            saved = self.service_update(request, stored, changes)
        else:
            saved = self.service_create(request, data)
        # The admin goes on with `obj` (messages, redirects, related forms): make it the saved row.
        for field in self.model._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A rule only the service can judge (seen after the form was valid) is shown as an
        # error on the same page; the admin's transaction has rolled the whole save back.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class SuperuserOnly:
    """For admin pages of internals (job queues, lockouts): administrators only."""

    def has_module_permission(self, request):
        return perms.is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return perms.is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return perms.is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return perms.is_superuser(request.user)

    def has_add_permission(self, request, obj=None):
        return False


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history page, scoped like the change page and without reverting."""

    object_history_template = "admin/history.html"

    def revert_disabled(self, request, obj=None):
        return True  # reverting would write around the services

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
        return [(str(t.pk), t.name) for t in teams_visible_to(fetched_by=request.user)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        team_id = as_id(value)  # a value no team can have shows no rows (and reaches no query)
        return queryset.filter(team_id=team_id) if team_id else queryset.none()


BULK_CHANGED = "{verb} {tasks}."
BULK_REFUSED = "{tasks} refused - {details}"
BULK_NOTHING = "No tasks were selected."


def report_bulk(modeladmin, request, result: BulkResult, verb: str) -> None:
    """Tell how many tasks changed and which were refused, and why."""
    if result.changed:
        tasks = count(len(result.changed), "task")
        modeladmin.message_user(
            request, BULK_CHANGED.format(verb=verb, tasks=tasks), messages.SUCCESS
        )
    if result.refused:
        details = "; ".join(f"{task.key}: {reason}" for task, reason in result.refused[:20])
        more = len(result.refused) - 20
        if more > 0:
            details += f"; and {more} more"
        tasks = count(len(result.refused), "task")
        modeladmin.message_user(
            request, BULK_REFUSED.format(tasks=tasks, details=details), messages.WARNING
        )
    if not result.changed and not result.refused:
        modeladmin.message_user(request, BULK_NOTHING, messages.INFO)
