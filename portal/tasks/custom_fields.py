"""Custom fields per team: what a definition may say and what each type of value accepts.

A team's lead defines fields (`CustomField`); a task keeps their values in
`Task.custom_fields`, keyed by the field's key. Every door (service, API, admin, team pages,
spreadsheets) hands the values it was given to `clean_custom_values`, so a value is read,
checked and stored one way, and refused with one message naming the field. Stored values are
JSON: text, numbers (int, or float with decimals), dates as "2026-12-31", a choice's id, a list
of choice ids, a person's user id, true/false and URLs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import JSONField, Q
from django.db.models.fields.json import KeyTransform

from portal.core.compiled import IdsQuery
from portal.tasks.models import CustomField, FieldType

# --- messages (every door shows these; tests reuse them) ------------------------------------
KEY_INVALID = (
    "Enter a key of lower-case letters and digits, starting with a letter, words joined by "
    "single underscores (such as story_points)."
)
KEY_RESERVED = "“{key}” is a reserved word: choose another key."
KEY_FIXED = "A field's key cannot change (filters, sheets and the API name the field by it)."
CHOICES_NEEDED = "A choice field needs at least one choice."
CHOICES_INVALID = 'Enter choices as labels, or as {"id": ..., "label": ...} objects.'
CHOICE_LABEL_TWICE = "Choice “{label}” is listed twice."
NOT_NUMBER_OPTION = "Decimals and unit apply to number fields only."
DEFAULT_INVALID = "Default: {message}"
UNKNOWN_FIELD = "{team} has no custom field “{key}”."
VALUES_NOT_OBJECT = (
    'Enter custom fields as an object of keys and values, such as {"severity": "S1"}.'
)
REQUIRED = "{name}: this field is required."
TEXT_INVALID = "{name}: enter text."
TEXT_LONG = "{name}: enter at most {max} characters."
NUMBER_INVALID = "{name}: enter a number, such as {example}."
NUMBER_DECIMALS = "{name}: enter at most {decimals} decimals."
NUMBER_WHOLE = "{name}: enter a whole number."
NUMBER_LARGE = "{name}: enter a number between -999999999999 and 999999999999."
DATE_INVALID = "{name}: enter a date such as 2026-12-31."
CHOICE_INVALID = "{name}: choose one of {choices}."
CHOICES_INVALID_VALUE = "{name}: choose any of {choices}."
PERSON_INVALID = "{name}: choose a member of team {team} (a user id or username)."
CHECKBOX_INVALID = '{name}: enter "yes" or "no".'
URL_INVALID = "{name}: enter a web address starting with http:// or https://."
FILTER_UNKNOWN = "No custom field “{key}” in your teams."
FILTER_RANGE = "{key}: ranges (__gte, __lte) apply to number and date fields only."

TEXT_MAX = {FieldType.TEXT: 500, FieldType.LONG_TEXT: 10_000, FieldType.URL: 500}
NUMBER_LIMIT = Decimal("999999999999")
TRUE_WORDS = frozenset({"true", "yes", "1", "on", "y", "x"})
FALSE_WORDS = frozenset({"false", "no", "0", "off", "n", ""})
# Letters and digits in words joined by single underscores (no "__": it separates look-ups).
KEY_REGEX = "^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
KEY_PATTERN = re.compile(KEY_REGEX)
# A key is used as a JSON key in ORM look-ups: it must not read as a look-up itself.
RESERVED_KEYS = frozenset(JSONField.get_lookups()) | frozenset(KeyTransform.get_lookups())
CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})
RANGE_TYPES = frozenset({FieldType.NUMBER, FieldType.DATE})
_url = URLValidator(schemes=["http", "https"])


# --- definitions ---------------------------------------------------------------------------
def new_choice_id() -> str:
    """A choice's id: random, so an id never comes back for another choice."""
    return secrets.token_hex(3)


def normalize_choices(raw: Any) -> list[dict[str, str]]:
    """Choices given as labels or `{"id", "label"}` objects, each with an id (new ones get
    one). Labels keep their order; an id given keeps the values that hold it."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[\n,]", raw)]
    if not isinstance(raw, list | tuple):
        raise ValidationError({"choices": CHOICES_INVALID})
    choices, seen = [], set()
    for item in raw:
        if isinstance(item, str):
            item = {"label": item}
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise ValidationError({"choices": CHOICES_INVALID})
        label = item["label"].strip()
        if not label:
            continue
        if label.lower() in seen:
            raise ValidationError({"choices": CHOICE_LABEL_TWICE.format(label=label)})
        seen.add(label.lower())
        given = item.get("id")
        choice_id = str(given) if isinstance(given, str | int) and str(given) else new_choice_id()
        choices.append({"id": choice_id, "label": label[:80]})
    return choices


def clean_definition(field: CustomField) -> None:
    """The rules of a definition beyond its columns' (called by `CustomField.clean`)."""
    errors: dict[str, list[str]] = {}
    if not KEY_PATTERN.match(field.key or ""):
        errors["key"] = [KEY_INVALID]
    elif field.key in RESERVED_KEYS:
        errors["key"] = [KEY_RESERVED.format(key=field.key)]
    try:
        field.choices = normalize_choices(field.choices) if field.type in CHOICE_TYPES else []
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if field.type in CHOICE_TYPES and not field.choices and "choices" not in errors:
        errors["choices"] = [CHOICES_NEEDED]
    if field.type != FieldType.NUMBER and (field.decimals or field.unit):
        errors["decimals"] = [NOT_NUMBER_OPTION]
    if field.default not in (None, "", []) and not errors and field.type != FieldType.PERSON:
        try:
            field.default = clean_value(field, field.default)
        except ValidationError as exc:
            errors["default"] = [DEFAULT_INVALID.format(message=m) for m in exc.messages]
    elif field.default in ("", []):
        field.default = None
    if errors:
        raise ValidationError(errors)


def fields_of(team_id: int, *, archived: bool = False) -> list[CustomField]:
    """A team's field definitions in their order (archived ones only when asked): one query."""
    qs = CustomField.objects.filter(team_id=team_id)
    if not archived:
        qs = qs.filter(is_archived=False)
    return list(qs.order_by("order", "id"))


def teams_with_fields(teams) -> list[int]:
    """Which of `teams` (a queryset) have shown custom fields: one query."""
    found = CustomField.objects.filter(team__in=teams, is_archived=False)
    return sorted(set(found.values_list("team_id", flat=True)))


_SHOWN = IdsQuery(lambda ids: CustomField.objects.filter(team_id__in=ids, is_archived=False))


def fields_by_team(team_ids: Iterable[int]) -> dict[int, list[CustomField]]:
    """The shown definitions of several teams, in one query (compiled once: `IdsQuery`)."""
    found: dict[int, list[CustomField]] = {}
    for field in _SHOWN.objects(sorted(set(team_ids))):
        found.setdefault(field.team_id, []).append(field)
    return found


# --- values --------------------------------------------------------------------------------
def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and not value)


def _labels(field: CustomField) -> str:
    return ", ".join(c["label"] for c in field.choices)


def _choice_id(field: CustomField, value: Any, message: str) -> str:
    word = str(value).strip()
    for choice in field.choices:
        if word == choice["id"] or word.lower() == choice["label"].lower():
            return choice["id"]
    raise ValidationError(message.format(name=field.name, choices=_labels(field)))


def _number(field: CustomField, value: Any) -> int | float:
    example = "12" if not field.decimals else "12." + "5".ljust(field.decimals, "0")
    if isinstance(value, bool):
        raise ValidationError(NUMBER_INVALID.format(name=field.name, example=example))
    try:
        number = Decimal(str(value).strip().replace(" ", "")) if value != "" else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(NUMBER_INVALID.format(name=field.name, example=example))
    if abs(number) > NUMBER_LIMIT:
        raise ValidationError(NUMBER_LARGE.format(name=field.name))
    places = Decimal(1).scaleb(-field.decimals)
    rounded = number.quantize(places, rounding=ROUND_HALF_UP)
    if rounded != number:
        if not field.decimals:
            raise ValidationError(NUMBER_WHOLE.format(name=field.name))
        raise ValidationError(NUMBER_DECIMALS.format(name=field.name, decimals=field.decimals))
    return int(rounded) if not field.decimals else float(rounded)


def _date(field: CustomField, value: Any) -> str:
    """A day as stored: 2026-12-31 (a date-time's day; ISO text, a time after T ignored)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text[:10] if "T" in text else text).isoformat()
        except ValueError:
            pass
    raise ValidationError(DATE_INVALID.format(name=field.name))


def _checkbox(field: CustomField, value: Any) -> bool | None:
    """Ticked is stored as true; unticked is no value (so a sheet's "no" and an empty cell,
    or a form's box left alone, are the same)."""
    if isinstance(value, bool):
        return value or None
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return None
    raise ValidationError(CHECKBOX_INVALID.format(name=field.name))


def _text(field: CustomField, value: Any) -> str:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError(TEXT_INVALID.format(name=field.name))
    value = value.strip()
    limit = TEXT_MAX[field.type]
    if len(value) > limit:
        raise ValidationError(TEXT_LONG.format(name=field.name, max=limit))
    if field.type == FieldType.URL:
        try:
            _url(value)
        except ValidationError:
            raise ValidationError(URL_INVALID.format(name=field.name)) from None
    return value


def _person_ref(field: CustomField, value: Any) -> int | str:
    """A user id, or a username to look up (people are checked together, in one query)."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        word = value.strip()
        return int(word) if word.isascii() and word.isdigit() and len(word) < 12 else word
    raise ValidationError(
        PERSON_INVALID.format(name=field.name, team=field.team.key if field.team_id else "")
    )


def clean_value(field: CustomField, value: Any) -> Any:
    """One value of `field` as stored (None for empty); person fields return the id or
    username given (`clean_custom_values` checks them against the team)."""
    if _is_empty(value):
        return None
    kind = field.type
    if kind in TEXT_MAX:
        text = _text(field, value)
        return text or None
    if kind == FieldType.NUMBER:
        return _number(field, value)
    if kind == FieldType.DATE:
        return _date(field, value)
    if kind == FieldType.CHECKBOX:
        return _checkbox(field, value)
    if kind == FieldType.CHOICE:
        if isinstance(value, list | tuple):
            if len(value) != 1:
                raise ValidationError(
                    CHOICE_INVALID.format(name=field.name, choices=_labels(field))
                )
            value = value[0]
        return _choice_id(field, value, CHOICE_INVALID)
    if kind == FieldType.MULTI_CHOICE:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            items = [items]
        ids = {
            _choice_id(field, item, CHOICES_INVALID_VALUE) for item in items if str(item).strip()
        }
        ordered = [c["id"] for c in field.choices if c["id"] in ids]
        return ordered or None
    if kind == FieldType.PERSON:
        return _person_ref(field, value)
    raise ValidationError(TEXT_INVALID.format(name=field.name))  # pragma: no cover


def member_refs(team_id: int) -> dict[Any, int]:
    """The team's members as person values may name them: id and username -> id (one query).
    A bulk write reads this once per team and passes it to `clean_custom_values`."""
    from portal.teams.models import Membership

    refs: dict[Any, int] = {}
    members = Membership.objects.filter(team_id=team_id).values_list("user_id", "user__username")
    for user_id, username in members:
        refs[user_id] = user_id
        refs[username] = user_id
    return refs


def _resolve_people(
    team, refs: dict[str, Any], fields: dict[str, CustomField], members: dict | None = None
) -> dict:
    """Person values (ids or usernames) as user ids of the team's members: one query, none
    when the team's `members` (from `member_refs`) are given."""
    if not refs:
        return {}
    if members is None:
        from portal.teams.models import Membership

        ids = [r for r in refs.values() if isinstance(r, int)]
        names = [r for r in refs.values() if isinstance(r, str)]
        found = Membership.objects.filter(team_id=team.pk).filter(
            Q(user_id__in=ids) | Q(user__username__in=names)
        )
        members = {}
        for user_id, username in found.values_list("user_id", "user__username"):
            members[user_id] = user_id
            members[username] = user_id
    out, errors = {}, []
    for key, ref in refs.items():
        if ref in members:
            out[key] = members[ref]
        else:
            errors.append(PERSON_INVALID.format(name=fields[key].name, team=team.key))
    if errors:
        raise ValidationError({"custom_fields": errors})
    return out


def clean_custom_values(
    team,
    values: Mapping[str, Any] | None,
    *,
    current: Mapping[str, Any] | None = None,
    creating: bool = False,
    fields: list[CustomField] | None = None,
    members: Callable[[], dict] | None = None,
) -> dict[str, Any]:
    """The task's custom values after setting `values` (a key given is set, None clears it).

    Keys are the team's shown fields' keys; archived fields' values are kept as they are and
    cannot be written. On create, fields not given take their default and required fields
    must have a value. Raises ValidationError({"custom_fields": [...]}) with every problem,
    each naming its field. One query for the definitions (none when `fields` are given) and
    one more when person fields are given (none when `members` gives the team's
    `member_refs`: bulk writes read them once per team).
    """
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise ValidationError({"custom_fields": VALUES_NOT_OBJECT})
    if fields is None:
        fields = fields_of(team.pk)
    by_key = {f.key: f for f in fields}
    result = dict(current or {})
    errors: list[str] = []
    people: dict[str, Any] = {}
    for key, raw in values.items():
        field = by_key.get(key)
        if field is None:
            errors.append(UNKNOWN_FIELD.format(team=team.key, key=str(key)[:50]))
            continue
        try:
            value = clean_value(field, raw)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if value is None:
            result.pop(key, None)
        elif field.type == FieldType.PERSON:
            people[key] = value
        else:
            result[key] = value
    if creating:
        for field in fields:
            if field.key not in values and field.default is not None:
                if field.type == FieldType.PERSON:
                    people[field.key] = field.default
                else:
                    result[field.key] = field.default
    try:
        known = members() if people and members is not None else None
        result.update(_resolve_people(team, people, by_key, known))
    except ValidationError as exc:
        errors.extend(exc.messages)
    for field in fields:
        missing = field.required and (creating or field.key in values) and field.key not in result
        if missing and not any(m.startswith(f"{field.name}:") for m in errors):
            errors.append(REQUIRED.format(name=field.name))
    if errors:
        raise ValidationError({"custom_fields": errors})
    return result


# --- showing values ------------------------------------------------------------------------
