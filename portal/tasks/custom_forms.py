"""Form fields for a team's custom fields, shared by the admin's and the team pages' task forms.

Each shown field becomes a form field `cf_<key>` after the built-in ones; its value is checked
by the same `clean_value` the services use (so the message names the field the same way), and
the form hands the values to the service as `custom_fields` (empty ones clear the value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from portal.tasks.custom_fields import REQUIRED, clean_value
from portal.tasks.custom_show import api_value
from portal.tasks.models import CustomField, FieldType

PREFIX = "cf_"
EMPTY_CHOICE = ("", "—")


def team_people(team_id: int) -> list[tuple[int, str]]:
    """The team's members as person fields offer them (id, username): one query."""
    from portal.teams.models import Membership

    return list(
        Membership.objects.filter(team_id=team_id)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )


def form_name(field: CustomField) -> str:
    return PREFIX + field.key


def _form_field(field: CustomField, people: Iterable[tuple[int, str]], widgets: Mapping) -> Any:
    common = {"label": field.name, "help_text": field.help_text, "required": False}
    kind = field.type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=widgets.get("textarea", forms.Textarea), **common)
    if kind == FieldType.CHOICE:
        choices = [EMPTY_CHOICE, *((c["id"], c["label"]) for c in field.choices)]
        return forms.ChoiceField(choices=choices, widget=widgets.get("select"), **common)
    if kind == FieldType.MULTI_CHOICE:
        choices = [(c["id"], c["label"]) for c in field.choices]
        return forms.MultipleChoiceField(
            choices=choices, widget=widgets.get("multiple", forms.CheckboxSelectMultiple), **common
        )
    if kind == FieldType.PERSON:
        choices = [EMPTY_CHOICE, *((str(pk), name) for pk, name in people)]
        return forms.ChoiceField(choices=choices, widget=widgets.get("select"), **common)
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(widget=widgets.get("checkbox"), **common)
    if kind == FieldType.DATE:
        widget = widgets.get("date") or forms.DateInput(attrs={"type": "date"})
        return forms.CharField(widget=widget, **common)
    if kind == FieldType.NUMBER and field.unit:
        common["help_text"] = (field.help_text + f" ({field.unit})").strip()
    return forms.CharField(widget=widgets.get("text"), **common)


def _initial(field: CustomField, stored: Any) -> Any:
    if stored is None:
        return None
    if field.type == FieldType.MULTI_CHOICE:
        return list(stored)
    if field.type == FieldType.PERSON:
        return str(stored)
    if field.type == FieldType.CHOICE:
        return stored
    return api_value(field, stored)


class CustomFieldsFormMixin:
    """Adds the team's custom fields to a task form (`add_custom_fields`) and reads them back
    (`custom_values`). Every shown field is given, so a value emptied on the form clears."""

    custom_definitions: list[CustomField] = []

    def add_custom_fields(
        self,
        definitions: list[CustomField],
        *,
        people: Iterable[tuple[int, str]] = (),
        stored: Mapping[str, Any] | None = None,
        widgets: Mapping | None = None,
    ) -> None:
        self.custom_definitions = list(definitions)
        people = list(people)
        for field in self.custom_definitions:
            name = form_name(field)
            self.fields[name] = _form_field(field, people, widgets or {})
            if stored is not None:
                self.initial[name] = _initial(field, stored.get(field.key))
            elif field.default is not None and not self.is_bound:
                self.initial[name] = _initial(field, field.default)

    def _clean_custom(self) -> None:
        for field in self.custom_definitions:
            name = form_name(field)
            if name not in self.cleaned_data:
                continue
            if field.required and self.cleaned_data[name] in (None, "", [], False):
                self.add_error(name, REQUIRED.format(name=field.name))
                continue
            if field.type == FieldType.PERSON:
                continue  # the service checks the person against the team
            try:
                clean_value(field, self.cleaned_data[name])
            except ValidationError as exc:
                self.add_error(name, exc.messages)

    def custom_values(self) -> dict[str, Any]:
        """The form's custom values by key, as the service takes them."""
        values = {}
        for field in self.custom_definitions:
            value = self.cleaned_data.get(form_name(field))
            values[field.key] = None if value in ("", [], False) else value
        return values

    def custom_changed(self, changed: Iterable[str]) -> bool:
        return any(form_name(f) in changed for f in self.custom_definitions)

    def add_custom_errors(self, exc: ValidationError) -> bool:
        """Put the service's custom field messages ("Severity: ...") on their fields; True
        when the error was about custom fields."""
        messages = getattr(exc, "message_dict", {}).get("custom_fields")
        if not messages:
            return False
        for message in messages:
            target = next(
                (form_name(f) for f in self.custom_definitions if message.startswith(f"{f.name}:")),
                None,
            )
            self.add_error(target, message)
        return True
