"""A changelist's rows written in one pass per row, as Django's `items_for_result` writes them.

Django's cell builder works out every cell from scratch: it looks the column up among the
model's fields (an exception for every column that is a method), asks for the empty value
display, and for each link parses the address, resolves it and merges the preserved filters
into it. That is about 1.4 ms a row for the task list's ten columns. Here the columns are
worked out once per page and each row is one string: the same cells, classes and links
(`tests/adminsite/test_lean_rows.py` compares the two outputs). Lists Django's builder must
still write (editable lists, pop-ups, `to_field`) get Django's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.templatetags.admin_list import _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_MOMENTS = (datetime.date, datetime.time)
_NOWRAP_FIELDS = (models.DateField, models.TimeField, models.ForeignKey)


@dataclass
class _Column:
    name: Any
    css: str  # the cell's classes (the "nowrap" Django adds by value is added per cell)
    link: bool
    tag: str  # "th" for the first linked column, "td" otherwise
    field: models.Field | None  # a model field shown as such (`display_for_field`)
    value: Callable[[Any], tuple[Any, Any]]  # obj -> (attr, value), as `lookup_field` gives
    default_empty: str
    empty: str
    boolean: bool
    dynamic: bool  # an attribute of the object: its display options are read per row


def _links(cl) -> Callable[[str, bool], bool]:
    def link_in_col(is_first: bool, field_name) -> bool:
        if cl.list_display_links is None:
            return False
        if is_first and not cl.list_display_links:
            return True
        return field_name in cl.list_display_links

    return link_in_col


def _getter(name, model_admin, opts):
    """(field, attr, obj -> (attr, value)) for a column, resolved as `lookup_field` resolves
    it; `attr` is None for a field, and for an attribute of the object (looked up per row)."""
    try:
        field = _get_non_gfk_field(opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        field = None
    else:
        return field, None, lambda obj: (None, getattr(obj, name))
    if callable(name):
        return None, name, lambda obj: (name, name(obj))
    if hasattr(model_admin, name) and name != "__str__":
        attr = getattr(model_admin, name)
        return None, attr, lambda obj: (attr, attr(obj))

    def looked_up(obj):  # an attribute of the object: Django's own look-up, per row
        _, attr, value = lookup_field(name, obj, model_admin)
        return attr, value

    return None, None, looked_up


def _boolean(attr) -> bool:
    if isinstance(attr, property) and hasattr(attr, "fget"):
        return getattr(attr.fget, "boolean", False)
    return getattr(attr, "boolean", False)


def _columns(cl) -> list[_Column]:
    model_admin = cl.model_admin
    default_empty = model_admin.get_empty_value_display()
    link_in_col = _links(cl)
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        link = link_in_col(first, name)
        tag = "th" if link and first else "td"
        first = first and not link
        field, attr, value = _getter(name, model_admin, cl.lookup_opts)
        css = f"field-{_coerce_field_name(name, index)}"
        if field is None and name == "action_checkbox":
            css = "action-checkbox"
        elif field is not None and not field.auto_created and isinstance(field, _NOWRAP_FIELDS):
            css += " nowrap"
        columns.append(
            _Column(
                name=name,
                css=css,
                link=link,
                tag=tag,
                field=None if field is None or field.auto_created else field,
                value=value,
                default_empty=default_empty,
                empty=getattr(attr, "empty_value_display", default_empty),
                boolean=_boolean(attr),
                dynamic=field is None and attr is None,
            )
        )
    return columns


def _cell(column: _Column, result) -> tuple[str, str]:
    """(classes, shown text) of one cell, by `items_for_result`'s rules."""
    try:
        attr, value = column.value(result)
    except ObjectDoesNotExist:
        # Django's classes before the look-up: without the field's "nowrap".
        return column.css.removesuffix(" nowrap"), column.default_empty
    if isinstance(value, str) and value.strip() == "":
        value = ""
    field = column.field
    empty, boolean = column.empty, column.boolean
    if column.dynamic:
        empty = getattr(attr, "empty_value_display", column.default_empty)
        boolean = _boolean(attr)
    if field is None:
        shown = display_for_value(value, empty, boolean)
        css = column.css + " nowrap" if isinstance(value, _MOMENTS) else column.css
        return css, shown
    if isinstance(field.remote_field, models.ManyToOneRel):
        related = getattr(result, field.name)
        return column.css, empty if related is None else related
    return column.css, display_for_field(value, field, empty, avoid_link=column.link)


class _Addresses:
    """Each row's change address with the list's filters kept (`add_preserved_filters`),
    merged once: every row's address differs only by its key, and none has a query."""

    def __init__(self, cl):
        self.cl = cl
        self.suffix: str | None = None

    def __call__(self, result) -> str | None:
        try:
            url = self.cl.url_for_result(result)
        except NoReverseMatch:
            return None
        if self.suffix is None:
            context = {"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}
            merged = add_preserved_filters(context, url)
            if "?" in url or not merged.startswith(url):
                return merged  # not a plain address: Django's merge for each row
            self.suffix = merged[len(url) :]
        return url + self.suffix


def lean_results(cl) -> list[list[SafeString]] | None:
    """The rows as Django's `results(cl)` writes them, one string per row; None when the list
    needs Django's own builder (editable rows, a pop-up, `to_field`)."""
    if cl.formset or cl.is_popup or cl.to_field:
        return None
    columns = _columns(cl)
    address = _Addresses(cl)
    rows = []
    for result in cl.result_list:
        cells = []
        for column in columns:
            css, shown = _cell(column, result)
            shown = conditional_escape(shown)
            if column.link:
                url = address(result)
                if url is not None:
                    shown = f'<a href="{conditional_escape(url)}">{shown}</a>'
                cells.append(f'<{column.tag} class="{css}">{shown}</{column.tag}>')
            else:
                cells.append(f'<td class="{css}">{shown}</td>')
        rows.append([mark_safe("".join(cells))])
    return rows
