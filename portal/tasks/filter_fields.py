"""The task filters' form fields and messages: each parses one query-string value, so a bad
value gets the same message at every door (`portal.tasks.filters` matches with them)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from portal.core.parsing import parse_moment
from portal.core.validators import ID_INVALID, as_id
from portal.teams.models import TEAM_REF_INVALID, parse_team_ref

BOOLEAN_INVALID = 'Enter "true" or "false".'
ARCHIVED_INVALID = 'Enter "true", "false" or "all".'
ASSIGNEE_INVALID = 'Enter a user id, "me" or "none".'
PARENT_INVALID = 'Enter a task id or "none".'
TEAM_INVALID = TEAM_REF_INVALID
DATETIME_INVALID = "Enter a date (2026-12-31) or a date and time (2026-12-31T17:00:00+01:00)."
ORDERING_INVALID = "Order by one of {fields}, each optionally prefixed with - for descending."
CHOICES_INVALID = "{value} is not one of {choices}."
DUE_WITHIN_MAX = 3650
DUE_WITHIN_INVALID = f"Enter a number of days from 1 to {DUE_WITHIN_MAX}."

# `cf_<key>` (equality), `cf_<key>__gte` / `__lte`: a custom field of the tasks' team.
CUSTOM_PARAM = re.compile(r"^cf_([a-z][a-z0-9_]{0,39}?)(?:__(gte|lte))?$")
CUSTOM_INVALID = "Filter custom fields as cf_<key>=value, cf_<key>__gte= or cf_<key>__lte=."
ORDERING_FIELDS = ("due_date", "priority", "created_at", "updated_at", "title", "number")
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
ARCHIVED_ALL = "all"


# --- form fields: strict parsing, one message per kind of mistake ------------------------------
def _parse_bool(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(BOOLEAN_INVALID, code="invalid")


def _parse_id(value: str) -> int:
    found = as_id(value.strip())
    if found is None:
        raise ValidationError(ID_INVALID, code="invalid")
    return found


class StrictBooleanField(forms.Field):
    """True or false; anything else is an error (a silently ignored `overdue=maybe` misleads)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        return _parse_bool(str(value))


class ArchivedField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).strip().lower() == ARCHIVED_ALL:
            return ARCHIVED_ALL
        try:
            return _parse_bool(str(value))
        except ValidationError:
            raise ValidationError(ARCHIVED_INVALID, code="invalid") from None


class DaysField(forms.Field):
    """A whole number of days, 1 to DUE_WITHIN_MAX (ASCII digits only)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        raw = str(value).strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
            raise ValidationError(DUE_WITHIN_INVALID, code="invalid")
        days = int(raw)
        if not 1 <= days <= DUE_WITHIN_MAX:
            raise ValidationError(DUE_WITHIN_INVALID, code="invalid")
        return days


class IdField(forms.Field):
    """A database id within the range every database can hold."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        return _parse_id(str(value))


class IdOrWordField(forms.Field):
    """A database id, or one of a few words (`me`, `none`)."""

    def __init__(self, *args, words=(), message=ID_INVALID, **kwargs):
        self.words, self.message = tuple(words), message
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        word = str(value).strip().lower()
        if word in self.words:
            return word
        try:
            return _parse_id(word)
        except ValidationError:
            raise ValidationError(self.message, code="invalid") from None


class TeamField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return parse_team_ref(value)
        except ValueError:
            raise ValidationError(TEAM_INVALID, code="invalid") from None


class MomentField(forms.Field):
    """An ISO date (midnight in the portal's time zone) or date and time a database can store."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        moment = parse_moment(str(value))
        if moment is None:
            raise ValidationError(DATETIME_INVALID, code="invalid")
        return moment


class MultipleChoiceCSVField(forms.Field):
    """One or several choices, comma-separated (`todo,blocked`)."""

    def __init__(self, *args, choices=(), **kwargs):
        self.valid = [value for value, _ in choices]
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        values = [part.strip().lower() for part in str(value).split(",") if part.strip()]
        for part in values:
            if part not in self.valid:
                raise ValidationError(
                    CHOICES_INVALID.format(value=part[:50], choices=", ".join(self.valid)),
                    code="invalid_choice",
                )
        return values or None


class OrderingField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        terms = [part.strip() for part in str(value).split(",") if part.strip()]
        for term in terms:
            name = term.lstrip("-")
            custom = CUSTOM_PARAM.match(name) is not None
            if (name not in ORDERING_FIELDS and not custom) or term.startswith("--"):
                raise ValidationError(
                    ORDERING_INVALID.format(fields=", ".join(ORDERING_FIELDS)), code="invalid"
                )
        return terms or None
