"""People in the admin: superusers manage everyone; others see the people of their teams."""

from axes import admin as axes_admin  # importing it registers axes' own classes first
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.forms import UserChangeForm, UserCreationForm
from unfold.widgets import UnfoldAdminRadioSelectWidget

from portal.accounts.forms import SetPasswordForm
from portal.accounts.models import User
from portal.accounts.resources import UserResource
from portal.accounts.services import user_update
from portal.adminkit.bases import PortalModelAdmin, SuperuserOnly, moment_column
from portal.core.models import save_checked
from portal.notifications import services as notifications
from portal.notifications.forms import PreferencesForm
from portal.notifications.kinds import Delivery, Kind
from portal.notifications.selectors import preferences_of
from portal.tasks.admin.autocomplete import is_autocomplete, task_team_for_autocomplete
from portal.teams import permissions as perms
from portal.teams.selectors import (
    assignable_people,
    memberships_visible_to,
    people_addable_by,
    users_visible_to,
)

admin.site.unregister(Group)

PUBLIC_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "team_list",
    "last_login_display",
]
PREFERENCES_SAVED = "The email choices of {name} were saved."
# Django's own date fields, shown read-only in the portal's date format.
DATE_FIELDS = {"last_login": "last_login_display", "date_joined": "date_joined_display"}


@admin.register(User)
class UserAdmin(DjangoUserAdmin, PortalModelAdmin):
    spreadsheet = "import"
    resource_classes = [UserResource]
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = SetPasswordForm
    list_display = ["username", "full_name", "email", "team_list", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    actions_detail = ["email_preferences"]

    last_login_display = moment_column("last_login", "last sign-in")
    date_joined_display = moment_column("date_joined", "joined")

    def get_queryset(self, request):
        user = request.user
        if is_autocomplete(request, "tasks", "task", "assignees"):
            team_id = task_team_for_autocomplete(request)
            qs = assignable_people(fetched_by=user, team_ids=[team_id] if team_id else None)
        elif is_autocomplete(request, "teams", "membership", "user"):
            qs = people_addable_by(fetched_by=user)
        else:
            qs = users_visible_to(fetched_by=user)
        # The teams column shows only memberships of teams the viewer can see.
        return qs.prefetch_related(Prefetch("memberships", memberships_visible_to(fetched_by=user)))

    def save_model(self, request, obj, form, change):
        if not change:
            # Superusers only; the creation form sets the password itself. Two administrators
            # adding one name at once: the second gets the username rule's message.
            save_checked(obj)
            return None
        return super().save_model(request, obj, form, change)

    def service_update(self, request, obj, changes):
        # Groups and permissions are many-to-many: the admin saves them after this.
        fields = {f.name for f in User._meta.concrete_fields}
        values = {name: v for name, v in changes.items() if name in fields}
        return user_update(actor=request.user, user=obj, **values)

    def has_add_permission(self, request):
        return perms.is_superuser(request.user)

    def has_import_permission(self, request):
        return perms.is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return perms.is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return perms.is_superuser(request.user)

    # -- email choices: the team pages' form and service (portal.notifications) --
    def has_email_preferences_permission(self, request, object_id=None):
        """Administrators choose for anyone, everyone else for themselves (the service's rule,
        `preferences_set`, checks it again)."""
        return perms.is_superuser(request.user) or str(request.user.pk) == str(object_id)

    @action(
        description="Email notifications", icon="notifications", permissions=["email_preferences"]
    )
    def email_preferences(self, request, object_id):
        person = self.get_object(request, object_id)
        if person is None:
            raise Http404("No such person.")
        form = PreferencesForm(
            request.POST if request.method == "POST" else None,
            initial_choices=preferences_of(person),
            widget=UnfoldAdminRadioSelectWidget,
        )
        if request.method == "POST" and form.is_valid():
            try:
                notifications.preferences_set(
                    actor=request.user, user=person, choices=form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, PREFERENCES_SAVED.format(name=person.get_username()))
                return redirect("admin:accounts_user_change", person.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Email notifications of {person.get_username()}",
            "person": person,
            "form": form,
            "opts": self.opts,
            "original": person,
        }
        return TemplateResponse(request, "admin/accounts/user/preferences.html", context)

    @admin.display(description="email notifications")
    def email_choices(self, obj):
        if not obj.pk:
            return "-"
        labels = dict(Delivery.choices)
        chosen = preferences_of(obj)
        return "; ".join(f"{label}: {labels[chosen[kind]].lower()}" for kind, label in Kind.choices)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not perms.is_superuser(request.user):
            # No password hash, no permission editing for non-superusers.
            return [(None, {"fields": PUBLIC_FIELDS})]
        fieldsets = [
            (name, {**options, "fields": [DATE_FIELDS.get(f, f) for f in options["fields"]]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Portal",
                    {
                        "fields": [
                            "receive_daily_summary",
                            "time_zone",
                            "team_list",
                            "email_choices",
                        ]
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if not perms.is_superuser(request.user):
            return PUBLIC_FIELDS
        return ["team_list", "email_choices", *DATE_FIELDS.values()]

    @admin.display(description="name")
    def full_name(self, obj):
        return obj.get_full_name() or "-"

    @admin.display(description="teams")
    def team_list(self, obj):
        if not obj.pk:
            return "-"
        return (
            ", ".join(
                f"{m.team.key} ({m.get_role_display().lower()})" for m in obj.memberships.all()
            )
            or "-"
        )


# --- sign-in lockouts (django-axes), in the portal's look, for administrators -----------------
# Deleting an attempt lifts that lockout early (axes' own delete, as for any third-party page).


for _model, _base in [
    (AccessAttempt, axes_admin.AccessAttemptAdmin),
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
]:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(
        _model, type(f"Portal{_base.__name__}", (SuperuserOnly, _base, ModelAdmin), {})
    )
