"""The admin (administrators): who watches which task, people's notifications and their email
choices. Watching itself is done on the team pages and through the API."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from portal.accounts.permissions import is_superuser
from portal.notifications.models import Notification, Preference, Watch


class SuperuserOnly:
    def has_module_permission(self, request):
        return is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return is_superuser(request.user)

    def has_add_permission(self, request):
        return is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request.user)


@admin.register(Notification)
class NotificationAdmin(SuperuserOnly, ModelAdmin):
    list_display = ["task_key", "kind", "user", "actor", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "delivery"]
    search_fields = ["user__username", "task_key"]
    list_select_related = ["user", "actor"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Preference)
class PreferenceAdmin(SuperuserOnly, ModelAdmin):
    """A person's email choices (no row for a kind: its default, docs/events.md)."""

    list_display = ["user", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


@admin.register(Watch)
class WatchAdmin(SuperuserOnly, ModelAdmin):
    """Watchers, read-only: filter by a task's id (`?task__id__exact=`) or search a name."""

    list_display = ["task", "user", "created_at"]
    search_fields = ["user__username", "task__title"]
    list_select_related = ["task__team", "user"]
    readonly_fields = ["task", "user", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
