"""Admin form fields and widgets that stay calm when a posted form was tampered with."""

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput
from django.forms.formsets import TOTAL_FORM_COUNT
from unfold.widgets import UnfoldAdminSplitDateTimeWidget

from portal.core.forms import DUE_TIME_LABEL, ModelMultipleChoiceField, could_be_key, split_due
from portal.core.validators import JSON_TOO_DEEP, json_too_deep

NEW_ROWS_PER_SAVE = 100
TOO_MANY_ROWS = "Add at most {limit} new rows in one save."


# --- relations: ids that no row can have -------------------------------------------------------
class _SelectedKeysOnly:
    """Looks up only submitted values that could be keys when showing the selected options.

    The form field refuses `tags=abc` or `parent=99999999999999999999` with a form error, but
    Django's widget would then query with that value to re-render the form, and fail.
    """

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        value = [v for v in value if could_be_key(target, v)]
        return super().optgroups(name, value, attr)


class AutocompleteSelect(_SelectedKeysOnly, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(_SelectedKeysOnly, widgets.AutocompleteSelectMultiple):
    pass


class SafeRelatedFieldsMixin:
    """For ModelAdmin and inline classes: relation fields that survive tampered ids."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- JSON ------------------------------------------------------------------------------------
class JSONFormField(forms.JSONField):
    """Django's JSON field, for input nested too deep to decode, or to encode again for display.

    The depth limit itself is the model's (portal.core.models.CheckedInputMixin); this field
    only keeps such input from raising RecursionError and shows it back as typed.
    """

    def to_python(self, value):
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(JSON_TOO_DEEP, code="too_deep") from None

    def bound_data(self, data, initial):
        try:
            value = super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)
        if not isinstance(value, InvalidJSONInput) and json_too_deep(value):
            return InvalidJSONInput(data)
        return value


# --- inline rows -------------------------------------------------------------------------------
class BoundedInlineFormSet(forms.BaseInlineFormSet):
    """Builds at most NEW_ROWS_PER_SAVE rows beyond the existing ones from a posted form.

    Django builds as many rows as the posted TOTAL_FORMS says, up to 2,000, and shows them all
    again when the form has errors: one tampered number cost seconds of work per request.
    More rows than that are refused with a message instead of being built.
    """

    def _row_limit(self) -> int:
        return len(self.get_queryset()) + NEW_ROWS_PER_SAVE

    def total_form_count(self):
        count = super().total_form_count()
        return min(count, self._row_limit()) if self.is_bound else count

    def clean(self):
        super().clean()
        if self.management_form.cleaned_data.get(TOTAL_FORM_COUNT, 0) > self._row_limit():
            raise ValidationError(TOO_MANY_ROWS.format(limit=NEW_ROWS_PER_SAVE))


class AdminDueWidget(UnfoldAdminSplitDateTimeWidget):
    """unfold's day and time inputs for a due date given as a day or a moment (the time may
    stay empty: a day)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[1].attrs.update({"aria-label": DUE_TIME_LABEL, "placeholder": DUE_TIME_LABEL})

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_

    def decompress(self, value):
        return split_due(value)
