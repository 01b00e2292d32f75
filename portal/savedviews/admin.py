"""Admin page of saved views: the person's own views and their teams' shared ones (the same
selector as the team pages), written through the services (`saved_view_create`, ...)."""

import json

from django import forms
from django.contrib import admin
from unfold.contrib.filters.admin import ChoicesRadioFilter
from unfold.decorators import display

from portal.adminkit.bases import PortalModelAdmin, moment_column
from portal.savedviews import permissions as view_perms
from portal.savedviews import services
from portal.savedviews.models import SavedView
from portal.savedviews.selectors import saved_views_visible_to
from portal.teams.admin import TeamFilter
from portal.teams.selectors import teams_visible_to

PARAMS_HELP = 'The page\'s filters as names and values, e.g. {"status": "todo,blocked"}.'


class SavedViewForm(forms.ModelForm):
    params = forms.JSONField(required=False, help_text=PARAMS_HELP)

    class Meta:
        model = SavedView
        fields = ["team", "kind", "name", "params", "shared", "is_default"]


@admin.register(SavedView)
class SavedViewAdmin(PortalModelAdmin):
    form = SavedViewForm
    list_display = ["name", "kind", "team", "owner", "shared", "is_default", "updated_display"]
    list_select_related = ["team", "owner"]
    list_filter = [TeamFilter, ("kind", ChoicesRadioFilter), "shared"]
    search_fields = ["name"]
    ordering = ["team__name", "kind", "name", "pk"]
    readonly_fields = ["owner", "filters_display", "updated_display"]

    updated_display = moment_column("updated_at", "updated")

    def get_queryset(self, request):
        return saved_views_visible_to(fetched_by=request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["team", "kind", "name", "params", "shared", "is_default"]
        return ["name", "params", "shared", "is_default", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "team":
            kwargs["queryset"] = teams_visible_to(fetched_by=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return view_perms.can_see_view(request.user, obj)
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return view_perms.can_change_view(request.user, obj) or (
                view_perms.can_share_views(request.user, obj.team)
            )
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            return view_perms.can_change_view(request.user, obj)
        return self.has_module_permission(request)

    @display(description="filters")
    def filters_display(self, obj):
        return json.dumps(obj.params, ensure_ascii=False) if obj.params else "none"

    def service_create(self, request, data):
        return services.saved_view_create(
            actor=request.user,
            team=data.get("team"),
            kind=data["kind"],
            name=data["name"],
            params=data.get("params") or {},
            shared=data.get("shared", False),
            is_default=data.get("is_default", False),
        )

    def service_update(self, request, obj, changes):
        if "params" in changes:
            changes["params"] = changes["params"] or {}
        return services.saved_view_update(actor=request.user, view=obj, **changes)

    def service_delete(self, request, obj):
        services.saved_view_delete(actor=request.user, view=obj)
