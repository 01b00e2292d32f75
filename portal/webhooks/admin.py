"""Admin pages of webhooks: a team's endpoints and their deliveries, for its leads.

Endpoints are written through the services (`endpoint_create`, ...); deliveries are read only,
with their attempts, and can be sent again. Lists are scoped by the selectors: leads see their
teams' endpoints, administrators all, nobody else anything.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from unfold.admin import TabularInline
from unfold.decorators import action, display

from portal.adminkit.bases import PortalModelAdmin, moment_column
from portal.events.kinds import kind_choices
from portal.teams import permissions as perms
from portal.teams.admin import LedTeamAdmin
from portal.webhooks import services
from portal.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from portal.webhooks.selectors import (
    deliveries_visible_to,
    delivery_attempts,
    endpoints_visible_to,
)


class EndpointForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        choices=kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to receive every kind.",
    )

    class Meta:
        model = Endpoint
        fields = ["team", "url", "kinds", "is_active"]


class _Each:
    def _each(self, request, queryset, apply, done: str) -> None:
        """Apply a service to each selected row; say which ones it refused and why."""
        changed, refused = 0, []
        for obj in queryset:
            try:
                apply(obj)
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{obj}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
            else:
                changed += 1
        if changed:
            self.message_user(request, done.format(n=changed), messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)


@admin.register(Endpoint)
class EndpointAdmin(LedTeamAdmin, _Each, PortalModelAdmin):
    form = EndpointForm
    list_display = ["url", "team", "is_active", "kinds_display", "failing_display"]
    list_select_related = ["team"]
    list_filter = ["is_active"]
    search_fields = ["url"]
    ordering = ["team__name", "url", "pk"]
    actions = ["send_test"]
    readonly_fields = [
        "secret",
        "created_by",
        "failing_display",
        "disabled_display",
        "disabled_reason",
    ]

    failing_display = moment_column("failing_since", "failing since")
    disabled_display = moment_column("disabled_at", "switched off")

    def get_queryset(self, request):
        return endpoints_visible_to(fetched_by=request.user)

    def get_fields(self, request, obj=None):
        editable = ["url", "kinds", "is_active"] if obj else ["team", "url", "kinds", "is_active"]
        return editable + (self.readonly_fields if obj else [])

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    has_delete_permission = has_change_permission
    has_manage_permission = has_change_permission

    @display(description="event kinds")
    def kinds_display(self, obj):
        return ", ".join(obj.kinds) if obj.kinds else "every kind"

    def service_create(self, request, data):
        return services.endpoint_create(
            actor=request.user,
            team=data["team"],
            url=data["url"],
            kinds=list(data.get("kinds") or []),
            is_active=data.get("is_active", True),
        )

    def service_update(self, request, obj, changes):
        if "kinds" in changes:
            changes["kinds"] = list(changes["kinds"])
        return services.endpoint_update(actor=request.user, endpoint=obj, **changes)

    def service_delete(self, request, obj):
        services.endpoint_delete(actor=request.user, endpoint=obj)

    @action(description="Send a test event", permissions=["manage"], icon="send")
    def send_test(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: services.endpoint_send_test(actor=request.user, endpoint=e),
            "Test event queued for {n} endpoint(s); see Webhook deliveries.",
        )


class AttemptInline(TabularInline):
    model = Attempt
    fields = ["at", "status_code", "error", "duration_ms", "response"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(_Each, PortalModelAdmin):
    inlines = [AttemptInline]
    list_display = [
        "pk",
        "kind",
        "event_id",
        "endpoint",
        "status_display",
        "attempts",
        "last_status_code",
        "created_display",
    ]
    list_select_related = ["endpoint__team"]
    list_filter = ["status"]
    ordering = ["-pk"]
    actions = ["redeliver"]
    fields = [
        "endpoint",
        "kind",
        "event_id",
        "task_id",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_display",
        "retry_until",
        "created_display",
        "finished_at",
    ]
    readonly_fields = fields

    created_display = moment_column("created_at", "created")
    next_display = moment_column("next_attempt_at", "next attempt")

    def get_queryset(self, request):
        return delivery_attempts(deliveries_visible_to(fetched_by=request.user))

    def has_module_permission(self, request):
        return perms.can_lead_somewhere(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_manage_team(request.user, obj.endpoint.team)
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_redeliver_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @display(
        description="status",
        label={
            DeliveryStatus.PENDING.label: "info",
            DeliveryStatus.SUCCEEDED.label: "success",
            DeliveryStatus.FAILED.label: "danger",
            DeliveryStatus.GAVE_UP.label: "warning",
        },
    )
    def status_display(self, obj):
        return obj.get_status_display()

    @action(description="Redeliver", permissions=["redeliver"], icon="replay")
    def redeliver(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda d: services.delivery_redeliver(actor=request.user, delivery=d),
            "{n} delivery(ies) queued again.",
        )
