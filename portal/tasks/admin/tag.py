"""Tags are shared by all teams: members create them, superusers rename or delete them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from unfold.decorators import display

from portal.adminkit.bases import PortalModelAdmin
from portal.tasks import permissions as task_perms
from portal.tasks import services
from portal.tasks.models import Tag
from portal.tasks.resources import TagResource
from portal.tasks.selectors import tags_with_task_counts


@admin.register(Tag)
class TagAdmin(PortalModelAdmin):
    spreadsheet = "import"
    resource_classes = [TagResource]
    list_display = ["name", "colour_display", "task_count"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request):
        return tags_with_task_counts(fetched_by=request.user)

    def has_add_permission(self, request):
        return task_perms.can_create_tag(request.user)

    def has_import_permission(self, request):
        return task_perms.can_create_tag(request.user)

    def has_change_permission(self, request, obj=None):
        return task_perms.can_change_tag(request.user)

    def has_delete_permission(self, request, obj=None):
        return task_perms.can_change_tag(request.user)

    @display(description="colour")
    def colour_display(self, obj):
        return format_html(
            '<span class="inline-block w-4 h-4 rounded-full align-middle mr-2" '
            'style="background:{}"></span>{}',
            obj.color,
            obj.color,
        )

    @display(description="tasks", ordering="visible_tasks")
    def task_count(self, obj):
        return obj.visible_tasks

    def service_create(self, request, data):
        return services.tag_create(actor=request.user, name=data["name"], color=data.get("color"))

    def service_update(self, request, obj, changes):
        return services.tag_update(actor=request.user, tag=obj, **changes)

    def service_delete(self, request, obj):
        services.tag_delete(actor=request.user, tag=obj)
