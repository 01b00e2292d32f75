"""Request fields that take only the JSON type the schema gives them.

DRF turns `0` into the text "0" and takes "yes", 1 or "off" as booleans: a client that sends
a number where the API documents text would find it accepted, and schema-checking tools report
the API as not doing what it says. Writable model fields of the API's serializers are these.
"""

from datetime import datetime

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.core.parsing import parse_due
from portal.tasks.due import DUE_INVALID, due_given

NOT_TEXT = "Enter a JSON string."
NOT_BOOLEAN = "Enter true or false (a JSON boolean)."


class _Text:
    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(NOT_TEXT, code="invalid")
        return super().to_internal_value(data)


class TextField(_Text, serializers.CharField):
    pass


class EmailField(_Text, serializers.EmailField):
    pass


class SlugField(_Text, serializers.SlugField):
    pass


class DecimalField(_Text, serializers.DecimalField):
    """Decimals travel as strings ("2.50"), as answers give them and the schema says."""


class BooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            raise serializers.ValidationError(NOT_BOOLEAN, code="invalid")
        return data


# DRF's ModelSerializer with the fields above for text, decimal and boolean columns (a comment,
# not a docstring: drf-spectacular would show it on every serializer's schema).
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
        models.EmailField: EmailField,
        models.SlugField: SlugField,
        models.BooleanField: BooleanField,
        models.DecimalField: DecimalField,
    }

    def build_standard_field(self, field_name, model_field):
        # The messages a model field names itself ("Hours cannot be negative.") are the API's
        # too, as on the team pages: one wording for one rule.
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if model_field._error_messages:
            kwargs["error_messages"] = {
                **kwargs.get("error_messages", {}),
                **model_field._error_messages,
            }
        return field_class, kwargs


@extend_schema_field({"type": "object", "additionalProperties": True})
class ObjectField(serializers.JSONField):
    """A JSON object (the domain refuses anything else; the schema says so)."""


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2,10}$"})
class TeamKeyField(TextField):
    """A team key; the service upper-cases it and checks it."""


DUE_NOT_TEXT = "Enter the due date as text: a day (2026-12-24) or a day and a time."


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
        "nullable": True,
        "description": (
            "A day (2026-12-24: due until the day ends in the team's time zone) or a day and a "
            "time (2026-12-24T17:00:00+01:00). Answers give what was set, in the same form."
        ),
    }
)
class DueField(serializers.Field):
    """A task's due date: a day or a moment (portal/tasks/due.py), read and written as given."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)
        self._moment = serializers.DateTimeField()

    def validate_empty_values(self, data):
        if data is None:
            return True, {"due_date": None}
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(DUE_NOT_TEXT, code="invalid")
        given = parse_due(data)
        if given is None:
            raise serializers.ValidationError(DUE_INVALID, code="invalid")
        return {"due_date": given}

    def show(self, given) -> str | None:
        """The JSON of a given due date (a day or a moment)."""
        if given is None:
            return None
        if isinstance(given, datetime):
            return self._moment.to_representation(given)
        return given.isoformat()

    def to_representation(self, task):
        return self.show(due_given(task.due_date, task.due_day))


REPEAT_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": (
        "How the task repeats (null: it does not). Written as "
        '{"freq": "daily"|"weekdays"|"weekly"|"monthly"|"yearly", "interval": 1, '
        '"days": ["mo", "th"] (weekly), "day": 31 (monthly; -1 the last day), '
        '"from": "due"|"done"} or {"rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "from": "due"}; '
        'read as {"rrule": ..., "from": ...}.'
    ),
    "properties": {
        "rrule": {"type": "string"},
        "from": {"type": "string", "enum": ["due", "done"]},
        "freq": {"type": "string", "enum": ["daily", "weekdays", "weekly", "monthly", "yearly"]},
        "interval": {"type": "integer", "minimum": 1},
        "days": {"type": "array", "items": {"type": "string"}},
        "day": {"type": "integer"},
    },
}


@extend_schema_field(REPEAT_SCHEMA)
class RepeatField(serializers.Field):
    """A task's repeat (portal/tasks/repeat.py): a rule as choices or RRULE text, or null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, {"repeat": None}
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        from django.core.exceptions import ValidationError

        from portal.tasks.repeat import parse_repeat_json

        try:
            return {"repeat": parse_repeat_json(data)}
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code="invalid") from None

    @staticmethod
    def show(rule: str, start: str) -> dict | None:
        from portal.tasks.repeat import stored_repeat

        repeat = stored_repeat(rule, start)
        return repeat.json() if repeat else None

    def to_representation(self, task):
        return self.show(task.repeat_rule, task.repeat_from)
