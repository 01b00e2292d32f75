"""Form fields every door's forms share: relations that refuse ids no row can have.

Django's model choice fields look the submitted values up with `pk__in`, which SQLite cannot
even send when a number does not fit in 64 bits (`tags=9223372036854775808` raised
OverflowError). The admin, the team pages and any other form use these fields, so such a
value is a form error everywhere, with Django's own message.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from portal.core.validators import as_id


def could_be_key(target: models.Field, value) -> bool:
    """Whether `value` could be a value of `target` (an id a 64-bit column holds, ...)."""
    if isinstance(target, models.IntegerField):
        return as_id(str(value)) is not None
    try:
        target.to_python(value)
    except ValidationError:
        return False
    return True


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses values that cannot be keys before asking the database about them."""

    def _check_values(self, value):
        opts = self.queryset.model._meta
        target = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for item in value:
            if item not in self.empty_values and not could_be_key(target, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


DUE_TIME_WITHOUT_DAY = "Enter the day too, or leave the time empty."
DUE_TIME_LABEL = "Time (optional)"


def split_due(value) -> list:
    """[day, time] of a due date given as a day or a moment (local time), for two inputs."""
    if value is None or value == "":
        return [None, None]
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return [local.date(), local.time().replace(second=0, microsecond=0)]
    return [value, None]


class DueWidget(forms.MultiWidget):
    """A day input and an optional time input (the browser's own pickers)."""

    def __init__(self, attrs=None):
        widgets = (
            forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            forms.TimeInput(attrs={"type": "time", "aria-label": DUE_TIME_LABEL}, format="%H:%M"),
        )
        super().__init__(widgets, attrs)

    def id_for_label(self, id_):
        # The field's label names the day input (Django's MultiWidget names none); the time
        # input has its own accessible name.
        return f"{id_}_0" if id_ else id_

    def decompress(self, value):
        return split_due(value)


class DueHiddenWidget(forms.MultiWidget):
    """The day and the time as hidden inputs (a form's record of the value it showed)."""

    def __init__(self, attrs=None):
        super().__init__((forms.HiddenInput(), forms.HiddenInput()), attrs)

    def decompress(self, value):
        return split_due(value)


class DueFormField(forms.MultiValueField):
    """A due date as people give it: a day, and a time only if they want one.

    Cleans to a `date` (the whole day, in the team's time zone) or an aware `datetime` (the
    time in the current time zone), which the task services turn into what they store.
    """

    widget = DueWidget
    hidden_widget = DueHiddenWidget
    default_error_messages = {"time_without_day": DUE_TIME_WITHOUT_DAY}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        fields = (forms.DateField(required=False), forms.TimeField(required=False))
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        day, at = [*data_list, None, None][:2] if data_list else (None, None)
        if day is None:
            if at is not None:
                raise ValidationError(self.error_messages["time_without_day"], code="invalid")
            return None
        if at is None:
            return day
        return timezone.make_aware(datetime.combine(day, at))
