"""Admin pieces of the teams app: the team filter every app's admin may use, and the
invitations' pages (the teams' own pages are in the admin door, `portal.adminsite.teams`,
since they show task counts)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from unfold.contrib.filters.admin import RadioFilter
from unfold.decorators import action, display

from portal.adminkit.bases import PortalModelAdmin, ScopedHistoryAdmin, moment_column
from portal.core.validators import as_id
from portal.teams import invitations
from portal.teams import permissions as perms
from portal.teams.models import Invitation, InvitationState
from portal.teams.selectors import invitations_visible_to, teams_managed_by, teams_visible_to


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


class LedTeamAdmin:
    """Pages of rows that belong to a team and are its leads' business (invitations, webhook
    endpoints): shown to leads (of the row's team) and administrators; a new row's team is one
    the person leads."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "team":
            kwargs["queryset"] = teams_managed_by(fetched_by=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return perms.can_lead_somewhere(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_manage_team(request.user, obj.team)
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return perms.can_lead_somewhere(request.user)


class InvitationForm(forms.ModelForm):
    """A new invitation: the team (one the person leads), the address and the role."""

    class Meta:
        model = Invitation
        fields = ["team", "email", "role"]


@admin.register(Invitation)
class InvitationAdmin(LedTeamAdmin, ScopedHistoryAdmin, PortalModelAdmin):
    """Invitations of the teams the person leads: send one, send again, withdraw.

    Nothing is edited after sending (a new role is a new invitation to the same address, which
    replaces the open one) and nothing is deleted: the list keeps who was invited when.
    """

    form = InvitationForm
    list_display = ["email", "team", "role", "state_display", "sent_display", "invited_by"]
    list_select_related = ["team", "invited_by"]
    list_filter = [TeamFilter]
    search_fields = ["email"]
    ordering = ["-sent_at", "-pk"]
    actions = ["resend_selected", "revoke_selected"]
    readonly_fields = [
        "state_display",
        "invited_by",
        "sent_display",
        "expires_display",
        "accepted_at_display",
        "accepted_by",
        "revoked_at_display",
    ]

    sent_display = moment_column("sent_at", "sent")
    expires_display = moment_column("expires_at", "link works until")
    accepted_at_display = moment_column("accepted_at", "accepted")
    revoked_at_display = moment_column("revoked_at", "withdrawn")

    def get_queryset(self, request):
        return invitations_visible_to(fetched_by=request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["team", "email", "role"]
        return ["team", "email", "role", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return ["team", "email", "role", *self.readonly_fields] if obj else []

    def has_change_permission(self, request, obj=None):
        return False  # sent invitations are not edited; see the actions

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawn, not deleted: the list is the record

    def has_send_permission(self, request, obj=None):
        return perms.can_lead_somewhere(request.user)

    @display(description="state")
    def state_display(self, obj):
        return InvitationState(obj.state()).label

    def service_create(self, request, data):
        return invitations.invitation_create(
            actor=request.user,
            team=data["team"],
            email=data["email"],
            role=data["role"],
            base_url=invitations.link_base(request),
        )

    def _each(self, request, queryset, apply, done: str) -> None:
        """Apply a service to each selected invitation, and say which ones it refused and why."""
        changed, refused = [], []
        for invitation in queryset:
            try:
                apply(invitation)
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{invitation.email}: {' '.join(getattr(exc, 'messages', []))}")
            else:
                changed.append(invitation.email)
        if changed:
            self.message_user(request, f"{done}: {', '.join(changed)}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @action(description="Send again (a new link)", permissions=["send"], icon="send")
    def resend_selected(self, request, queryset):
        base = invitations.link_base(request)
        self._each(
            request,
            queryset,
            lambda i: invitations.invitation_resend(
                actor=request.user, invitation=i, base_url=base
            ),
            "Sent again",
        )

    @action(description="Withdraw", permissions=["send"], icon="block")
    def revoke_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda i: invitations.invitation_revoke(actor=request.user, invitation=i),
            "Withdrawn",
        )
