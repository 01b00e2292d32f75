"""The sheets the portal reads and writes, by the short names commands and jobs use.

Each app declares its own sheets in its `resources` module, as `SHEETS = {name: {"resource":
..., "rows_for": ..., "takes_filters": ...}}`; `discover_sheets` (run when the portal starts)
registers them, so neither this app nor `core` names the apps' sheets, and the apps, on lower
floors, never import this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule

from portal.core.sheet_reading import SpreadsheetError

SHEET_UNKNOWN = "Unknown sheet {name}: choose one of {names}."
FILTERS_TASKS_ONLY = "Only the task sheet takes filters."


@dataclass(frozen=True)
class RegisteredSheet:
    """A sheet the portal reads and writes: its resource and the rows a person may export
    (`rows_for(user, filters)`); only a sheet that `takes_filters` accepts list filters."""

    name: str
    resource: type
    rows_for: Callable
    takes_filters: bool = False

    @property
    def dotted(self) -> str:
        return f"{self.resource.__module__}.{self.resource.__qualname__}"


SHEETS: dict[str, RegisteredSheet] = {}


def register_sheet(
    name: str, resource: type, rows_for: Callable, *, takes_filters: bool = False
) -> None:
    SHEETS[name] = RegisteredSheet(name, resource, rows_for, takes_filters)


def discover_sheets() -> None:
    """Register the sheets every installed app declares in its `resources` module."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "resources"):
            module = import_module(f"{config.name}.resources")
            for name, declared in getattr(module, "SHEETS", {}).items():
                register_sheet(name, **declared)


def sheet_named(name: str) -> RegisteredSheet:
    """A sheet by its short name (tasks, any case) or its resource's dotted path."""
    for sheet in SHEETS.values():
        if name.lower() == sheet.name or name == sheet.dotted:
            return sheet
    raise SpreadsheetError(SHEET_UNKNOWN.format(name=name, names=", ".join(SHEETS)))


def sheet_title(name: str) -> str:
    """The worksheet's name in an exported XLSX: what it holds ("Tasks"), not "Sheet1"."""
    return name.replace("_", " ").strip().capitalize() or "Sheet1"


def sheet_name_of(resource_class) -> str:
    """The short name of a resource class's sheet (tasks for TaskResource)."""
    return next(sheet.name for sheet in SHEETS.values() if sheet.resource is resource_class)


def background_rows() -> int:
    """Imports and exports with more rows than this run as background jobs."""
    return settings.SPREADSHEET_BACKGROUND_ROWS


def sheet_resource(name: str):
    """The resource class of a sheet, by short name (tasks) or dotted path."""
    return sheet_named(name).resource


def sheet_rows_for(name: str, user, filters: dict | None = None):
    """The queryset of the sheet `name` that `user` may export (filters: the task sheet's)."""
    sheet = sheet_named(name)
    if filters and not sheet.takes_filters:
        raise SpreadsheetError(FILTERS_TASKS_ONLY)
    return sheet.rows_for(user, filters)
