"""Forms of the team pages. Fields are named and labelled as the model's; the services decide.

A service's ValidationError names fields (`{"assignees": [...]}`): `add_service_errors` puts
each message next to its field, or above the form when the form has no such field.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model

from portal.accounts.usernames import USERNAME_HELP
from portal.core.forms import DueFormField, ModelMultipleChoiceField
from portal.core.resources import split_list
from portal.core.zones import TIME_ZONE_UNKNOWN, time_zone_choices
from portal.tasks.custom_fields import fields_of
from portal.tasks.custom_forms import PREFIX, CustomFieldsFormMixin, form_name, team_people
from portal.tasks.due import check_due
from portal.tasks.fields import form_value, page_form_names
from portal.tasks.keys import parse_task_key
from portal.tasks.models import Comment, FieldType, Task
from portal.tasks.repeat import SUGGESTIONS, RepeatFormField, repeat_initial
from portal.teams.models import Invitation

PASSWORDS_DIFFER = "The two passwords differ."
PARENT_UNKNOWN = "Enter the key or number of a task of this team, such as {key}-12."
DESCRIPTION_HELP = "Markdown: **bold**, *italic*, lists, links to this site's pages, tables."
DUE_HELP = "A day (due until it ends, in the team's time zone); a time only if it matters."


def model_fields(*names: str) -> dict[str, forms.Field]:
    """Form fields as the Task model defines them (label, choices, limits, validators).

    The model's own validators and messages join each form field, so every rule of a field
    (hours not negative) is judged with the others on the first submit, in the model's words.
    """
    fields = fields_for_model(
        Task,
        fields=list(names),
        widgets={
            "description": forms.Textarea(attrs={"rows": 5}),
        },
    )
    if "due_date" in fields:
        fields["due_date"] = DueFormField(label="Due", help_text=DUE_HELP)
    for name, field in fields.items():
        model_field = Task._meta.get_field(name)
        field.validators.extend(v for v in model_field.validators if v not in field.validators)
        field.error_messages.update(model_field._error_messages or {})
    return fields


class PageForm(forms.Form):
    """Labels without a trailing colon, as elsewhere in the portal's look."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        # Two rules can say the same thing (9999.99 is both the most digits and the largest
        # value): each message once.
        super()._post_clean()
        for errors in self._errors.values():
            unique = {}
            for error in errors.as_data():
                unique.setdefault(tuple(error.messages), error)
            errors.data = list(unique.values())

    def clean_due_date(self):
        """A day, or a moment the database can store, within the range around today."""
        return check_due(self.cleaned_data.get("due_date"))


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class TaskForm(CustomFieldsFormMixin, PageForm):
    """A task's fields as the services take them (a new task, or every field of one on its
    page), with the people, tags and parents of the team only; new tags by name; then the
    team's custom fields (`cf_<key>`)."""

    def __init__(self, *args, team, people, tags, parents, **kwargs):
        stored = kwargs.pop("custom_values", None)
        super().__init__(*args, **kwargs)
        self.fields.update(model_fields(*page_form_names()))
        self.fields["description"].help_text = DESCRIPTION_HELP
        self.fields["assignees"] = ModelMultipleChoiceField(
            queryset=people, required=False, widget=forms.CheckboxSelectMultiple
        )
        self.fields["tags"] = ModelMultipleChoiceField(
            queryset=tags, required=False, widget=forms.CheckboxSelectMultiple
        )
        self.fields["parent"] = forms.CharField(
            label="Parent task",
            required=False,
            max_length=30,
            help_text=f"Optional: the key of the task this one belongs to, such as {team.key}-12.",
        )
        self.fields["repeat"] = RepeatFormField()
        self.repeat_suggestions = SUGGESTIONS
        self.fields["new_tags"] = forms.CharField(
            label="New tags",
            required=False,
            max_length=500,
            help_text="Optional: names of tags to create and add, comma-separated.",
        )
        self.team, self.parents = team, parents
        definitions = fields_of(team.pk)
        people_choices = (
            team_people(team.pk) if any(f.type == FieldType.PERSON for f in definitions) else []
        )
        self.add_custom_fields(definitions, people=people_choices, stored=stored)
        if self.initial:
            # Editing: each field also carries the value the page showed, so `changes()` holds
            # only what the person changed, not what others saved meanwhile.
            for name, field in self.fields.items():
                field.show_hidden_initial = name != "new_tags"

    @staticmethod
    def initial_for(task) -> dict:
        """The form's values for `task` as stored (a due date as it was given)."""
        initial = {name: form_value(task, name) for name in page_form_names()}
        initial["assignees"] = [u.pk for u in task.assignees.all()]
        initial["tags"] = [t.pk for t in task.tags.all()]
        initial["parent"] = task.parent.key if task.parent_id else ""
        initial["repeat"] = repeat_initial(task)
        return initial

    @property
    def custom_bound_fields(self) -> list:
        """The custom fields for the template, in the team's order."""
        return [self[form_name(f)] for f in self.custom_definitions]

    def clean(self):
        cleaned = super().clean()
        self._clean_custom()
        return cleaned

    def add_service_errors(self, exc: ValidationError) -> None:
        if not self.add_custom_errors(exc):
            add_service_errors(self, exc)

    def clean_new_tags(self) -> list[str]:
        return split_list(self.cleaned_data.get("new_tags") or "")

    def clean_parent(self):
        """A key (OPS-12) or a number (12) of a task of this team that the person may see."""
        text = (self.cleaned_data.get("parent") or "").strip()
        if not text:
            return None
        key = parse_task_key(text, team_key=self.team.key)
        task = None
        if key is not None and key[0] == self.team.key:
            task = self.parents.filter(number=key[1]).first()
        if task is None:
            raise ValidationError(PARENT_UNKNOWN.format(key=self.team.key))
        return task

    def service_fields(self) -> dict:
        """The cleaned values as task_create's keyword arguments (empty ones left out)."""
        values = {k: v for k, v in self.cleaned_data.items() if not k.startswith(PREFIX)}
        values.pop("new_tags", None)
        values["assignees"] = list(values.get("assignees") or [])
        values["tags"] = list(values.get("tags") or [])
        fields = {k: v for k, v in values.items() if v not in (None, "") or k == "description"}
        if self.custom_definitions:
            fields["custom_fields"] = self.custom_values()
        return fields

    def changes(self) -> dict:
        """Only the fields the person changed, as task_update's keyword arguments: a change
        someone else saved meanwhile to another field is kept, not overwritten."""
        values = {}
        custom = self.custom_values()
        for name in self.changed_data:
            if name == "new_tags":
                continue
            if name.startswith(PREFIX):
                # Only the custom fields changed: the others keep what is stored.
                key = name[len(PREFIX) :]
                values.setdefault("custom_fields", {})[key] = custom[key]
                continue
            value = self.cleaned_data[name]
            values[name] = list(value) if name in ("assignees", "tags") else value
        return values


COMMENT_HELP = (
    "Markdown: **bold**, *italic*, [text](https://…), lists, `code` and > quotes. "
    "Task keys (OPS-42) and @username become links."
)


class CommentForm(PageForm):
    """A comment's body, as the model defines it; comment_add/comment_update decide."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Comment,
                fields=["body"],
                labels={"body": "Comment"},
                help_texts={"body": COMMENT_HELP},
                widgets={"body": forms.Textarea(attrs={"rows": 3})},
            )
        )


class InvitationForm(PageForm):
    """Invite an address to the team with a role; invitation_create decides."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "invite-%s")
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Invitation, fields=["email", "role"]))
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class JoinForm(PageForm):
    """A new person's account, set up from an invitation (the email address is the invited one).

    The username and password rules are the account service's; the form checks only that the
    password was typed the same twice.
    """

    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    username = forms.CharField(label="Username", max_length=150, help_text=USERNAME_HELP)
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    password_again = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") != data.get("password"):
            self.add_error("password_again", PASSWORDS_DIFFER)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "username": data["username"],
            "password": data["password"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
        }


BULK_NONE_SELECTED = "Select the tasks to change."
BULK_NO_CHANGE = "Choose a change to make."
NO_CHANGE = ("", "No change")


class BulkEditForm(PageForm):
    """The list's bulk edit: the selected tasks and the changes to make to each of them (an
    empty field changes nothing). `edit_changes` gives them as `task_edit`'s keywords."""

    status = forms.ChoiceField(choices=[NO_CHANGE, *Task._meta.get_field("status").choices])
    priority = forms.ChoiceField(choices=[NO_CHANGE, *Task._meta.get_field("priority").choices])
    due_date = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    archive = forms.ChoiceField(
        label="Archive",
        choices=[NO_CHANGE, ("archive", "Archive"), ("unarchive", "Unarchive")],
    )

    def __init__(self, *args, tasks, people, tags, **kwargs):
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.fields["tasks"] = ModelMultipleChoiceField(
            queryset=tasks, error_messages={"required": BULK_NONE_SELECTED}
        )
        for name, label, choices in (
            ("add_assignee", "Assign", people),
            ("remove_assignee", "Unassign", people),
            ("add_tag", "Add tag", tags),
            ("remove_tag", "Remove tag", tags),
        ):
            self.fields[name] = forms.ModelChoiceField(
                queryset=choices, label=label, empty_label="No change"
            )
        for name, field in self.fields.items():
            field.required = name == "tasks"

    def clean(self):
        data = super().clean()
        changes = [name for name in self.fields if name != "tasks"]
        if not self.errors and not any(data.get(name) for name in changes):
            raise ValidationError(BULK_NO_CHANGE)
        return data

    def edit_changes(self) -> dict:
        data = self.cleaned_data
        changes = {name: data[name] for name in ("status", "priority", "due_date") if data[name]}
        if data["archive"]:
            changes["is_archived"] = data["archive"] == "archive"
        links = {"assignees": "assignee", "tags": "tag"}
        for verb in ("add", "remove"):
            chosen = {name: [data[f"{verb}_{one}"]] for name, one in links.items()}
            changes[verb] = {name: values for name, values in chosen.items() if values[0]}
        return changes


class ProfileForm(forms.Form):
    """A person's own name and preferences, as the User model defines them; the profile
    service (`portal.accounts.services.profile_update`) judges and saves them."""

    FIELDS = ("first_name", "last_name", "time_zone", "receive_daily_summary")

    def __init__(self, *args, user, **kwargs):
        from portal.accounts.models import User

        initial = {name: getattr(user, name) for name in self.FIELDS}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(fields_for_model(User, fields=list(self.FIELDS)))
        zone_field = self.fields["time_zone"]
        zone_field.choices = [
            ("", f"The portal's time zone ({settings.TIME_ZONE})"),
            *time_zone_choices(),
        ]
        zone_field.help_text = "Times on the pages are shown to you in this zone."
        zone_field.error_messages["invalid_choice"] = TIME_ZONE_UNKNOWN
        self.fields[
            "receive_daily_summary"
        ].help_text = (
            "Each morning, the summary of each of your teams, at the hour of the team's zone."
        )

    def changes(self) -> dict:
        """The fields the person changed, as the profile service takes them."""
        return {name: self.cleaned_data[name] for name in self.FIELDS if name in self.changed_data}
