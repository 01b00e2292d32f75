"""Tags are shared by all teams: members create them, superusers rename or delete them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from unfold.decorators import display

from portal.core.admin import PortalModelAdmin
from portal.tasks import permissions as task_perms
from portal.tasks import services
from portal.tasks.models import Tag
from portal.tasks.selectors import tags_with_task_counts
from portal.teams import permissions as perms


@admin.register(Tag)
class TagAdmin(PortalModelAdmin):
    list_display = ["name", "colour_display", "task_count"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request):
        return tags_with_task_counts(request.user)

    def has_module_permission(self, request):
        return perms.can_use_portal(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return task_perms.can_create_tag(request.user)

    def has_change_permission(self, request, obj=None):
        return task_perms.can_change_tag(request.user)

    def has_delete_permission(self, request, obj=None):
        return task_perms.can_change_tag(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

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

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            saved = services.tag_update(
                actor=request.user, tag=Tag.objects.get(pk=obj.pk), **changes
            )
        else:
            saved = services.tag_create(
                actor=request.user, name=obj.name, color=form.cleaned_data.get("color")
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.tag_delete(actor=request.user, tag=obj)
