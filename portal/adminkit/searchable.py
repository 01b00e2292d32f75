"""List filters whose choices are searched as you type instead of listed one link per row.

A filter over people or tags would otherwise write one link per person or tag into every list
page, so the page grows with the team (500 people made half of a 416 KB task list). A
`SearchableFilter` renders one select box holding only the chosen value; its choices come,
twenty at a time, from a JSON view on the list's own admin (`SearchableFiltersAdmin`), in the
shape Django's autocomplete uses, so unfold's select2 set-up for filters drives it.

The filter keeps its own parameter name and values (the list's query string does not change),
offers fixed choices such as "me" and "none" next to the searched rows, and takes its rows from
a selector, so the choices are scoped exactly as the rest of the portal is. Matching the typed
words is the searched model's admin's own search (its `search_fields`), as in Django's
autocomplete.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import JsonResponse
from django.urls import path, reverse

from portal.core.validators import as_id

# Longer search words than this match nothing a person could type; the rest is cut off.
MAX_TERM = 100


class SearchableChoiceForm(forms.Form):
    """One select box; select2 fills its choices from the filter's JSON view."""

    class Media:
        extra = "" if settings.DEBUG else ".min"
        js = (
            f"admin/js/vendor/jquery/jquery{extra}.js",
            "admin/js/vendor/select2/select2.full.js",
            "admin/js/jquery.init.js",
            "unfold/js/select2.init.js",
        )
        css = {
            "screen": ("admin/css/vendor/select2/select2.css", "admin/css/autocomplete.css"),
        }

    def __init__(self, *, name, label, choices, value, url, placeholder):
        super().__init__(data={name: value})
        self.fields[name] = forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", ""), *choices],
            widget=forms.Select(
                attrs={
                    # unfold's select2.init.js starts select2 on this class inside the filters
                    "class": "unfold-filter-autocomplete",
                    "data-theme": "admin-autocomplete",
                    "data-ajax--url": url,
                    "data-ajax--cache": "true",
                    "data-ajax--delay": 250,
                    "data-ajax--type": "GET",
                    "data-allow-clear": "true",
                    "data-placeholder": placeholder,
                    "data-minimum-input-length": 0,
                }
            ),
        )


class SearchableFilter(admin.SimpleListFilter):
    """A filter of `parameter_name` whose rows are searched, not listed.

    Subclasses name the model searched (`search_model`, whose admin's search matches the typed
    words), the field whose value goes into the query string (`to_field`), the rows a person
    may choose from (`choice_queryset`) and how a row reads (`choice_label`). `fixed_choices`
    (value, label) are offered first, before any row.
    """

    template = "unfold/filters/filters_field.html"
    form_class = SearchableChoiceForm
    fixed_choices: Sequence[tuple[str, str]] = ()
    search_model: type[Model]
    to_field = "pk"
    placeholder = "All"

    @classmethod
    def choice_queryset(cls, request) -> QuerySet:
        raise NotImplementedError

    @classmethod
    def choice_label(cls, obj) -> str:
        return str(obj)

    @classmethod
    def url_name(cls, model_admin) -> str:
        opts = model_admin.opts
        return f"{opts.app_label}_{opts.model_name}_choices_{cls.parameter_name}"

    def lookups(self, request, model_admin):
        # Only the chosen value: the page stays the same size however many rows there are.
        value = self.value()
        if not value:
            return []
        fixed = dict(self.fixed_choices)
        if value in fixed:
            return [(value, fixed[value])]
        row = self.chosen(request, value)
        # A value nobody may choose still shows as typed; the filter set says what is wrong.
        return [(value, self.choice_label(row) if row else value)]

    @classmethod
    def chosen(cls, request, value: str):
        """The row `value` names among the person's choices, or None."""
        if cls.to_field == "pk" and as_id(value) is None:
            return None
        return cls.choice_queryset(request).filter(**{cls.to_field: value}).first()

    def has_output(self):
        return True

    def choices(self, changelist):
        model_admin = changelist.model_admin
        yield {
            "form": self.form_class(
                name=self.parameter_name,
                label=f" By {self.title} ",
                choices=self.lookup_choices,
                value=self.value(),
                url=reverse(f"{model_admin.admin_site.name}:{self.url_name(model_admin)}"),
                placeholder=self.placeholder,
            )
        }


class SearchableChoicesView(AutocompleteJsonView):
    """The choices of one searchable filter: fixed ones first, then matching rows, 20 a page.

    Who may ask is who may see the list; which rows are offered is the filter's selector.
    """

    list_admin = None
    filter_class: type[SearchableFilter] = None

    def process_request(self, request):
        term = request.GET.get("term", "")[:MAX_TERM]
        model_admin = self.admin_site._registry[self.filter_class.search_model]
        return term, model_admin, None, self.filter_class.to_field

    def has_perm(self, request, obj=None):
        return self.list_admin.has_view_permission(request)

    def get_queryset(self):
        qs = self.filter_class.choice_queryset(self.request)
        qs, distinct = self.model_admin.get_search_results(self.request, qs, self.term)
        return qs.distinct() if distinct else qs

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": self.filter_class.choice_label(obj)}

    def get(self, request, *args, **kwargs):
        self.term, self.model_admin, self.source_field, to_field = self.process_request(request)
        if not self.has_perm(request):
            raise PermissionDenied
        self.object_list = self.get_queryset()
        context = self.get_context_data()
        page = context["page_obj"]
        results = [self.serialize_result(obj, to_field) for obj in context["object_list"]]
        if page.number == 1:
            results = self.fixed_results() + results
        return JsonResponse({"results": results, "pagination": {"more": page.has_next()}})

    def fixed_results(self) -> list[dict]:
        words = self.term.strip().casefold()
        return [
            {"id": value, "text": label}
            for value, label in self.filter_class.fixed_choices
            if words in label.casefold() or words == value
        ]


class SearchableFiltersAdmin:
    """Serves the choices of the admin's searchable list filters (one URL per filter)."""

    def get_urls(self):
        urls = [
            path(
                f"choices/{spec.parameter_name}/",
                self.admin_site.admin_view(
                    SearchableChoicesView.as_view(
                        admin_site=self.admin_site, list_admin=self, filter_class=spec
                    )
                ),
                name=spec.url_name(self),
            )
            for spec in self.list_filter
            if isinstance(spec, type) and issubclass(spec, SearchableFilter)
        ]
        return urls + super().get_urls()
