"""A django-filter FilterSet that costs little per request.

django-filter deep-copies every filter for each filter set and builds a new form class each
time, whose form then deep-copies every form field: about 1-2 ms a request for a filter set of
twenty filters, whether or not a filter is given. A filter holds nothing of a request but its
parent filter set, and a form that only parses values never changes its fields, so here each
filter set takes shallow copies of its filters and one form class per filter set class, whose
forms share their fields. For filter sets whose forms are never shown (they parse query
strings), such as the one task filter set.
"""

from __future__ import annotations

import copy

import django_filters
from django import forms
from django.http import QueryDict


class SharedFields(dict):
    """A form's fields, shared by every form of its class instead of deep-copied (Django copies
    them for each form in case one changes its own): for forms that only parse values."""

    def __deepcopy__(self, memo):
        return dict(self)


class ParsingFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # BaseFilterSet.__init__ without its deep copy of the filters.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            bound = copy.copy(base)
            bound.model, bound.parent = queryset.model, self
            if bound.method is not None:
                # A method filter calls that method of its parent: set again, it asks the copy.
                bound.method = bound.method
            self.filters[name] = bound

    @classmethod
    def parsing_form(cls) -> type[forms.Form]:
        """The form that parses the values, built once per filter set class."""
        form_class = cls.__dict__.get("_parsing_form")
        if form_class is None:
            fields = {name: f.field for name, f in cls.base_filters.items()}
            form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            form_class.base_fields = SharedFields(form_class.base_fields)
            cls._parsing_form = form_class
        return form_class

    def get_form_class(self):
        return self.parsing_form()
