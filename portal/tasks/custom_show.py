"""Custom values as people and programs read them: the API and the forms (choices by label),
the pages and history (labels, usernames, units) and the sheets' cells. Values are checked and
stored by `portal.tasks.custom_fields`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal.tasks.models import CustomField, FieldType


def _choice_label(field: CustomField, choice_id: str) -> str:
    for choice in field.choices:
        if choice["id"] == choice_id:
            return choice["label"]
    return choice_id


def api_value(field: CustomField, stored: Any) -> Any:
    """A stored value as the API and the forms give it: choices by label, others as stored."""
    if stored is None:
        return None
    if field.type == FieldType.CHOICE:
        return _choice_label(field, stored)
    if field.type == FieldType.MULTI_CHOICE:
        return [_choice_label(field, c) for c in stored]
    return stored


def api_values(fields: list[CustomField], stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """A task's shown custom values by key (every shown field, None when empty)."""
    stored = stored or {}
    return {f.key: api_value(f, stored.get(f.key)) for f in fields}


def show_value(field: CustomField, stored: Any, people: Mapping[int, str] | None = None) -> str:
    """A stored value as people read it (cards, history, sheets): labels, usernames, units."""
    if stored is None or stored == []:
        return ""
    if field.type == FieldType.CHECKBOX:
        return "yes" if stored else "no"
    if field.type == FieldType.PERSON:
        return (people or {}).get(stored, f"#{stored}")
    if field.type == FieldType.MULTI_CHOICE:
        return ", ".join(api_value(field, stored))
    if field.type == FieldType.NUMBER:
        text = f"{stored:.{field.decimals}f}" if field.decimals else str(stored)
        return f"{text} {field.unit}".strip()
    return str(api_value(field, stored))


# --- spreadsheets ----------------------------------------------------------------------------
def sheet_header(name: str) -> str:
    """A header as the sheet reader compares it (lower case, spaces as underscores)."""
    return name.strip().lower().replace(" ", "_")


def sheet_cell(field: CustomField, stored: Any, people: Mapping[int, str]) -> Any:
    """A stored value as its sheet cell: numbers as numbers (no unit), a tick as "yes",
    choices by label (several comma-separated), people by username, dates as 2026-12-31."""
    if stored is None or stored == []:
        return ""
    if field.type == FieldType.NUMBER:
        return stored
    if field.type == FieldType.CHECKBOX:
        return "yes" if stored else ""
    if field.type == FieldType.PERSON:
        return people.get(stored, f"#{stored}")
    return show_value(field, stored, people)


def sheet_value(field: CustomField, cell: Any) -> Any:
    """A cell as `clean_value` reads it: date cells as days, numbers kept, the rest as text."""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if cell is None:
        return None
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        return cell if field.type == FieldType.NUMBER else str(cell)
    return str(cell)
