"""Shared pieces for the portal's admin classes: one service-backed base, written once.

Who may open an app's pages is the site's question (`admin_site.may_use_apps`, answered by the
admin door from the team rules), so this kit needs no domain app."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.paginator import InfinitePage
from unfold.paginator import InfinitePaginator as UnfoldInfinitePaginator

from portal.accounts.permissions import is_superuser
from portal.adminkit.fields import SafeRelatedFieldsMixin
from portal.core.concurrency import RowGone
from portal.core.dates import moment_html


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

    # "export" or "import" (import includes export): the admin door adds the spreadsheet views
    # for the admin's `resource_classes` (portal.adminsite.spreadsheets), so an app's admin
    # names what it offers and never imports the door.
    spreadsheet = ""

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

    # -- who may open it: whoever the site admits to the apps, unless a subclass says otherwise --
    def has_module_permission(self, request):
        return self.admin_site.may_use_apps(request)

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
        return is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request.user)

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
