"""Lean list pages: a changelist whose page stays small and quick with a hundred rows.

unfold writes fourteen utility classes on every cell, a seven-hundred-character class list on
every row's checkbox and renders a template for every coloured label, so each row of the task
list cost 4.6 KB of HTML and a hundred rows most of the page's time. `LeanRowsAdmin` renders
the rows with Django's own cell builder (one short `field-<name>` class per cell) and leaves
the look to `static/portal/admin.css` (`.portal-rows`), written once; the header, sorting,
actions and phone layout are unfold's and the portal's as before.

The filter panel's check boxes, radio buttons and date inputs likewise: unfold writes 700 to
1,600 characters of classes on each; `LeanCheckboxForm`, `LeanRadioForm` and
`LeanRangeDateTimeForm` render them with `.portal-check`, `.portal-radio` and `.portal-input`
from the same style sheet.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin as UnfoldModelAdmin
from unfold.contrib.filters.forms import CheckboxForm, RadioForm, RangeDateTimeForm
from unfold.decorators import display

# A line break and the indentation (and blank lines) after it. Outside <pre>, <textarea> and
# `white-space: pre` a browser renders any run of white space as one space, so the run goes.
INDENTATION = re.compile(rb"\n\s+")
VERBATIM = (b"<pre", b"<textarea", b"whitespace-pre")

# Label colours as unfold names them (`@display(label={...})`): info, primary, success, ...
LABEL_HTML = '<span class="portal-label-{}">{}</span>'


def label_html(colour: str, text: str) -> str:
    """A coloured label like unfold's, without a template render per cell."""
    return format_html(LABEL_HTML, colour or "default", text)


def tags_html(tags) -> str:
    """Tags as small pills in their own colour (the colour is validated as #RRGGBB)."""
    return format_html_join(
        " ",
        '<span class="portal-tag" style="--tag:{}">{}</span>',
        ((t.color, t.name) for t in tags),
    )


def drop_indentation(response):
    """The page without its templates' indentation (a tenth of a list page, and not a row)."""
    if not any(marker in response.content for marker in VERBATIM):
        response.content = INDENTATION.sub(b"\n", response.content)
    return response


class LeanRowsAdmin:
    """Renders the changelist's rows lean; see the module's docstring."""

    # import-export keeps this as the base of its own list template.
    change_list_template = "admin/lean_change_list.html"
    # unfold's templates ask for these; a missing attribute makes Django's template engine run
    # dir() over the whole admin class, once per row.
    list_sections = ()

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            response.add_post_render_callback(drop_indentation)
        return response

    @display(description=UnfoldModelAdmin.action_checkbox.short_description)
    def action_checkbox(self, obj):
        return format_html(
            # styled as .portal-check by `.portal-rows .action-select`, a hundred times shorter
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select record">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
        )


class LeanCheckboxes(forms.CheckboxSelectMultiple):
    template_name = "adminkit/widgets/lean_choices.html"
    option_template_name = "adminkit/widgets/lean_checkbox.html"
    # unfold's field template lays out any other "checkbox" widget as one box with its label
    # after it; the option template writes type="checkbox" itself.
    input_type = "checkbox-group"

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "portal-check", **(attrs or {})}, choices)


class LeanRadios(forms.RadioSelect):
    template_name = "adminkit/widgets/lean_choices.html"
    option_template_name = "adminkit/widgets/lean_radio.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "portal-radio", **(attrs or {})}, choices)


class LeanCheckboxForm(CheckboxForm):
    """unfold's check-box filter form, lean (see the module's docstring)."""

    widget = LeanCheckboxes


class LeanRadioForm(RadioForm):
    """unfold's radio filter form, lean (see the module's docstring)."""

    widget = LeanRadios


class LeanRangeDateTimeForm(RangeDateTimeForm):
    """unfold's date-and-time range, lean (see the module's docstring).

    The calendar and clock pickers find the inputs by `vDateField` / `vTimeField`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            date, time = field.widget.widgets
            date.attrs["class"] = "vDateField portal-input"
            time.attrs["class"] = "vTimeField portal-input"
