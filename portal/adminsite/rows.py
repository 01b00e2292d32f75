"""Lean list rows: a changelist whose page stays small and quick with a hundred rows.

unfold writes fourteen utility classes on every cell, a seven-hundred-character class list on
every row's checkbox and renders a template for every coloured label, so each row of the task
list cost 4.6 KB of HTML and a hundred rows most of the page's time. `LeanRowsAdmin` renders
the rows with Django's own cell builder (one short `field-<name>` class per cell) and leaves
the look to `static/portal/admin.css` (`.portal-rows`), written once; the header, sorting,
actions and phone layout are unfold's and the portal's as before.
"""

from __future__ import annotations

from django.contrib.admin import helpers
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin as UnfoldModelAdmin
from unfold.decorators import display

# Label colours as unfold names them (`@display(label={...})`): info, primary, success, ...
LABEL_HTML = '<span class="portal-label portal-label-{}">{}</span>'


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


class LeanRowsAdmin:
    """Renders the changelist's rows lean; see the module's docstring."""

    # import-export keeps this as the base of its own list template.
    change_list_template = "admin/lean_change_list.html"
    # unfold's templates ask for these; a missing attribute makes Django's template engine run
    # dir() over the whole admin class, once per row.
    list_sections = ()

    @display(description=UnfoldModelAdmin.action_checkbox.short_description)
    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select portal-check" '
            'aria-label="Select record">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
        )
