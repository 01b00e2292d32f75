"""Admin for teams and their memberships; leads manage their own team's people."""

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from unfold.admin import TabularInline
from unfold.decorators import display

from portal.adminkit.bases import PortalModelAdmin, moment_column
from portal.adminkit.fields import BoundedInlineFormSet, SafeRelatedFieldsMixin
from portal.adminsite.team_attachments import TeamAttachmentsAdminMixin
from portal.tasks import services as task_services
from portal.tasks.custom_show import show_value
from portal.tasks.models import CustomField, Task
from portal.tasks.services.custom_fields import DEFINITION_FIELDS, tasks_with_values
from portal.teams import permissions as perms
from portal.teams import services
from portal.teams.models import Membership, Role, Team
from portal.teams.resources import TeamResource
from portal.teams.selectors import teams_visible_to

ROW_NOT_IN_TEAM = "A member row does not belong to this team; reload the page and try again."


class MembershipFormSet(BoundedInlineFormSet):
    """Judges the save as a whole: the rows must be this team's and the team must end with a lead.

    The rows are then applied in an order that keeps a lead at every step (see
    TeamAdmin.save_formset), so handing the lead role over in one save works.
    """

    request = None

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        for form in self.initial_forms:
            # A row whose id is not one of this team's memberships was edited by hand.
            if form.instance.pk is None or form.instance.team_id != self.instance.pk:
                raise ValidationError(ROW_NOT_IN_TEAM)
        for form in self.extra_forms:
            # Django skips the (user, team) constraint for inline rows; check it here so a
            # person who already has a row (kept or removed in this save) is a form error.
            if form.is_valid() and form.has_changed() and not self._should_delete_form(form):
                try:
                    form.instance.validate_constraints()
                except ValidationError as exc:
                    form.add_error(None, exc)
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.ensure_a_lead(actor=self.request.user, roles=roles)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["role"]) from exc


class MembershipForm(forms.ModelForm):
    """The person of an existing membership is fixed; change the role or remove the row."""

    class Meta:
        model = Membership
        fields = ["user", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "user" in self.fields:
            self.fields["user"].disabled = True


class MembershipInline(SafeRelatedFieldsMixin, TabularInline):
    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    fields = ["user", "role", "joined_at"]
    autocomplete_fields = ["user"]
    extra = 0
    tab = True
    verbose_name = "member"
    verbose_name_plural = "members"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def get_readonly_fields(self, request, obj=None):
        return ["joined_at"]

    def has_view_permission(self, request, obj=None):
        return obj is None or perms.can_view_team(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return obj is not None and perms.can_manage_team(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return obj is not None and perms.can_manage_team(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and perms.can_manage_team(request.user, obj)


def _membership_steps(formset, actor):
    """The rows' changes in an order that keeps the team a lead at every step.

    The formset has checked that the team ends with a lead. New leads come first (promotions,
    then added rows), then the other changes, then removals; the acting person's own row goes
    last, so demoting or removing themselves does not take away their right to make the rest.
    """
    promote, add, change, remove, own = [], [], [], [], []
    for inline_form in formset.forms:
        instance = inline_form.instance
        if inline_form in formset.deleted_forms:
            if instance.pk:
                (own if instance.user_id == actor.pk else remove).append(("remove", inline_form))
            continue
        if not inline_form.has_changed() or not inline_form.cleaned_data:
            continue
        if not instance.pk:
            add.append(("add", inline_form))
        elif inline_form.cleaned_data["role"] == Role.LEAD:
            promote.append(("change", inline_form))
        else:
            (own if instance.user_id == actor.pk else change).append(("change", inline_form))
    return [*promote, *add, *change, *remove, *own]


CHOICE_LINE = re.compile(r"^(?P<label>.*?)\s*(?:\[(?P<id>[0-9a-f]{6})\])?$")


def choices_text(choices) -> str:
    """Choices as the admin edits them: one a line, each with its id in brackets (keep the
    bracket when renaming a choice: tasks hold the id)."""
    return "\n".join(f"{c['label']} [{c['id']}]" for c in choices or [])


def choices_from_text(text: str) -> list[dict]:
    lines = (CHOICE_LINE.match(line.strip()) for line in (text or "").splitlines())
    return [
        {"label": m["label"], **({"id": m["id"]} if m["id"] else {})}
        for m in lines
        if m is not None and m["label"]
    ]


class CustomFieldForm(forms.ModelForm):
    """A team's custom field: its choices as lines; the key is fixed once the field exists."""

    choices_lines = forms.CharField(
        label="choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 24}),
        help_text="Choice fields: one a line. Keep the [id] when renaming a choice.",
    )
    default = forms.CharField(required=False, max_length=200)
    confirm_delete = forms.BooleanField(
        label="delete values too",
        required=False,
        help_text="Deleting a field that tasks hold values for removes the values: tick to confirm.",
    )

    class Meta:
        model = CustomField
        # The definition's fields but its choices (edited as lines of text below).
        fields = DEFINITION_COLUMNS = [f for f in DEFINITION_FIELDS if f != "choices"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["key"].disabled = True
            self.initial["choices_lines"] = choices_text(self.instance.choices)
            default = self.instance.default
            if default is not None:
                self.initial["default"] = show_value(self.instance, default)

    def clean(self):
        cleaned = super().clean()
        # The definition's own checks (CustomField.clean) read the choices from the instance.
        self.instance.choices = choices_from_text(cleaned.get("choices_lines", ""))
        return cleaned

    def values(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.DEFINITION_COLUMNS}
        data["choices"] = choices_from_text(self.cleaned_data.get("choices_lines", ""))
        data["default"] = data["default"] or None
        return data


class CustomFieldFormSet(BoundedInlineFormSet):
    def clean(self):
        super().clean()
        # Rows marked for deletion are not validated as forms: the set refuses them.
        problems = []
        for form in self.forms:
            field = form.instance
            if not self._should_delete_form(form) or not field.pk:
                continue
            if form.cleaned_data.get("confirm_delete"):
                continue
            holding = tasks_with_values(field).count()
            if holding:
                problems.append(
                    task_services.FIELD_HAS_VALUES.format(
                        count=holding,
                        tasks="task" if holding == 1 else "tasks",
                        have="has" if holding == 1 else "have",
                        team=field.team.key,
                        name=field.name,
                    )
                )
        if problems:
            raise ValidationError(problems)


class CustomFieldInline(SafeRelatedFieldsMixin, TabularInline):
    """The team's custom fields (portal/tasks/custom_fields.py), managed by its leads."""

    model = CustomField
    form = CustomFieldForm
    formset = CustomFieldFormSet
    fields = [
        "name",
        "key",
        "type",
        "choices_lines",
        "required",
        "default",
        "decimals",
        "unit",
        "help_text",
        "order",
        "on_card",
        "is_archived",
        "confirm_delete",
    ]
    extra = 0
    tab = True
    verbose_name = "custom field"
    verbose_name_plural = "custom fields"

    def has_view_permission(self, request, obj=None):
        return obj is None or perms.can_view_team(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return obj is not None and perms.can_manage_team(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return obj is not None and perms.can_manage_team(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and perms.can_manage_team(request.user, obj)


@admin.register(Team)
class TeamAdmin(TeamAttachmentsAdminMixin, PortalModelAdmin):
    spreadsheet = "import"
    resource_classes = [TeamResource]
    list_display = ["name", "key", "member_count", "open_tasks", "updated_at_display"]
    search_fields = ["name", "key", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "key", "time_zone", "description"]
    inlines = [MembershipInline, CustomFieldInline]
    ordering = ["name"]

    def get_inlines(self, request, obj):
        # Custom fields are defined once the team exists (not on the new team's page).
        return self.inlines if obj is not None else [MembershipInline]

    updated_at_display = moment_column("updated_at", "updated")

    def get_queryset(self, request):
        # Two subqueries rather than one join over members x tasks, which grows as their product.
        def count(qs):
            return Subquery(
                qs.filter(team=OuterRef("pk"))
                .order_by()
                .values("team")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            )

        open_tasks = Task.objects.open()
        return teams_visible_to(fetched_by=request.user).annotate(
            members=Coalesce(count(Membership.objects.all()), 0),
            open_task_count=Coalesce(count(open_tasks), 0),
        )

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_view_team(request.user, obj)
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return perms.can_create_team(request.user)

    def has_import_permission(self, request):
        return perms.can_lead_somewhere(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return perms.can_manage_team(request.user, obj)
        return perms.can_lead_somewhere(request.user)

    def has_delete_permission(self, request, obj=None):
        return perms.is_superuser(request.user)

    @display(description="members", ordering="members")
    def member_count(self, obj):
        return obj.members

    @display(description="open tasks", ordering="open_task_count")
    def open_tasks(self, obj):
        return obj.open_task_count

    def service_create(self, request, data):
        fields = {
            name: data[name]
            for name in ("name", "key", "slug", "description", "time_zone")
            if name in data
        }
        return services.team_create(actor=request.user, **fields)

    def service_update(self, request, obj, changes):
        return services.team_update(actor=request.user, team=obj, **changes)

    def service_delete(self, request, obj):
        services.team_delete(actor=request.user, team=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is CustomField:
            return _save_custom_fields(request, form.instance, formset)
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        team = form.instance
        # The admin's change message reads these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for step, inline_form in _membership_steps(formset, request.user):
            data = inline_form.cleaned_data
            if step == "add":
                formset.new_objects.append(
                    services.membership_add(
                        actor=request.user, team=team, user=data["user"], role=data["role"]
                    )
                )
            elif step == "remove":
                formset.deleted_objects.append(inline_form.instance)
                services.membership_delete(actor=request.user, membership=inline_form.instance)
            else:
                # The service re-reads the membership as stored before changing it.
                membership = inline_form.instance
                services.membership_change_role(
                    actor=request.user, membership=membership, role=data["role"]
                )
                formset.changed_objects.append((membership, inline_form.changed_data))
        return None


def _save_custom_fields(request, team, formset) -> None:
    """The custom field rows through the services (deleting one that tasks hold values for
    was confirmed by its row: the formset refuses it otherwise)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for inline_form in formset.forms:
        instance = inline_form.instance
        if inline_form in formset.deleted_forms:
            if instance.pk:
                formset.deleted_objects.append(instance)
                task_services.custom_field_delete(actor=request.user, field=instance, confirm=True)
            continue
        if not inline_form.has_changed() or not inline_form.cleaned_data:
            continue
        values = inline_form.values()
        if instance.pk:
            values.pop("key", None)
            task_services.custom_field_update(actor=request.user, field=instance, **values)
            formset.changed_objects.append((instance, inline_form.changed_data))
        else:
            formset.new_objects.append(
                task_services.custom_field_create(actor=request.user, team=team, **values)
            )
