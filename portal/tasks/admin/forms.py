"""Forms of the task admin: the domain's checks that a ModelForm alone cannot make."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from portal.accounts.models import User
from portal.adminkit.fields import AdminDueWidget, JSONFormField
from portal.core.forms import DueFormField
from portal.tasks import permissions as task_perms
from portal.tasks import services
from portal.tasks.admin.autocomplete import FOLLOWS_TEAM_ATTR
from portal.tasks.custom_fields import fields_of, teams_with_fields
from portal.tasks.custom_forms import CustomFieldsFormMixin, team_people
from portal.tasks.due import check_due
from portal.tasks.fields import form_value
from portal.tasks.models import Comment, Tag, Task
from portal.tasks.repeat import RepeatFormField, repeat_initial


class TaskAdminForm(CustomFieldsFormMixin, forms.ModelForm):
    """Runs the domain's checks that a ModelForm alone cannot (assignees, archiving), and
    shows the task's team's custom fields (`cf_<key>`, after the built-in ones)."""

    request = None  # set per request in TaskAdmin.get_form
    custom_team_id = None  # set per request in TaskAdmin.get_form: whose custom fields
    repeat = RepeatFormField(widget=UnfoldAdminTextInputWidget)

    class Meta:
        model = Task
        # What the services accept, plus the team of a new task (the fieldsets set the order);
        # the custom values come as one field each.
        fields = ["team", *sorted(services.EDITABLE_FIELDS - {"custom_fields"})]
        field_classes = {"metadata": JSONFormField, "due_date": DueFormField}
        widgets = {"due_date": AdminDueWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # These pickers offer the chosen team's people and tasks (see admin.js).
        for name in ("assignees", "parent"):
            if name in self.fields:
                widget = self.fields[name].widget
                # The admin wraps the autocomplete widget (add/change links); mark the select.
                getattr(widget, "widget", widget).attrs[FOLLOWS_TEAM_ATTR] = "team"
        if "team" in self.fields and not self.instance.pk:
            # A new task's form shows the custom fields of one team; admin.js reloads it with
            # the team chosen when the fields shown would change (the values typed are kept).
            team = self.fields["team"]
            attrs = getattr(team.widget, "widget", team.widget).attrs
            attrs["data-custom-team"] = self.custom_team_id or ""
            attrs["data-teams-with-fields"] = ",".join(
                str(pk) for pk in teams_with_fields(team.queryset)
            )
        if self.custom_team_id is not None:
            self.add_custom_fields(
                fields_of(self.custom_team_id),
                people=team_people(self.custom_team_id),
                stored=self.instance.custom_fields if self.instance.pk else None,
                widgets=ADMIN_WIDGETS,
            )

    @cached_property
    def changed_data(self):
        changed = super().changed_data
        return [*changed, "custom_fields"] if self.custom_changed(changed) else changed

    def get_initial_for_field(self, field, field_name):
        # A due date shows as it was given: the day alone, or the day and the time.
        if field_name == "due_date" and self.instance.pk:
            return form_value(self.instance, field_name)
        if field_name == "repeat":
            return repeat_initial(self.instance)
        return super().get_initial_for_field(field, field_name)

    def _get_validation_exclusions(self):
        # The services read a due day or moment and check it (portal/tasks/due.py); the model's
        # date-time field would take a day for its midnight.
        return {*super()._get_validation_exclusions(), "due_date"}

    def clean_due_date(self):
        return check_due(self.cleaned_data.get("due_date"))

    def clean(self):
        cleaned = super().clean()
        self._clean_custom()
        if self.custom_definitions:
            cleaned["custom_fields"] = self.custom_values()
        team = cleaned.get("team") or (self.instance.team if self.instance.team_id else None)
        if team is not None and "assignees" in cleaned:
            try:
                services.validate_assignees(team, list(cleaned["assignees"]))
            except ValidationError as exc:
                self.add_error("assignees", exc.message_dict["assignees"])
        if (
            self.instance.pk
            and "is_archived" in self.changed_data
            and not task_perms.can_archive_task(self.request.user, self.instance)
        ):
            self.add_error("is_archived", task_perms.DENIED_ARCHIVE_TASK)
        return cleaned


ADMIN_WIDGETS = {
    "text": UnfoldAdminTextInputWidget,
    "textarea": UnfoldAdminTextareaWidget,
    "select": UnfoldAdminSelectWidget,
    "multiple": UnfoldAdminCheckboxSelectMultipleWidget,
    "checkbox": UnfoldBooleanSwitchWidget,
    "date": UnfoldAdminTextInputWidget(attrs={"type": "date"}),
}


class PickUserForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Assign to")


class PickTagForm(forms.Form):
    tag = forms.ModelChoiceField(queryset=Tag.objects.none(), label="Tag")


NEW_COMMENT_LABEL = "Add a comment"
NEW_COMMENT_HELP = "Optional; saved with the task when you press Save."


class NewCommentForm(forms.ModelForm):
    """The task page's comment box: optional (an empty box adds nothing)."""

    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": NEW_COMMENT_LABEL}
        help_texts = {"body": NEW_COMMENT_HELP}
        widgets = {"body": UnfoldAdminTextareaWidget(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].required = False
