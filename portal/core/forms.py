"""Form fields every door's forms share: relations that refuse ids no row can have.

Django's model choice fields look the submitted values up with `pk__in`, which SQLite cannot
even send when a number does not fit in 64 bits (`tags=9223372036854775808` raised
OverflowError). The admin, the team pages and any other form use these fields, so such a
value is a form error everywhere, with Django's own message.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

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
