"""Filtering and ordering tasks by custom values (`cf_<key>` in the filter set), written once
for the API, the team pages and the admin."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.fields.json import KeyTransform

from portal.tasks.custom_fields import (
    CHOICE_INVALID,
    CHOICE_TYPES,
    DATE_INVALID,
    FILTER_RANGE,
    RANGE_TYPES,
    _choice_id,
    _person_ref,
    clean_value,
)
from portal.tasks.models import CustomField, FieldType


def _has(key: str, value: Any) -> Q:
    """The task's value of `key` is (or, for a list, holds) `value`. On PostgreSQL as JSON
    containment, which the GIN index on custom_fields serves."""
    if connection.vendor == "postgresql":
        return Q(custom_fields__contains={key: value})
    if isinstance(value, list):
        return Q(**{f"custom_fields__{key}__icontains": f'"{value[0]}"'})
    return Q(**{f"custom_fields__{key}": value})


def value_q(field: CustomField, lookup: str, raw: str) -> Q:
    """The tasks of `field`'s team whose value matches `raw` (a query-string value):
    equality, `gte`/`lte` for numbers and dates, any of a comma list for choices."""
    key = field.key
    if lookup in ("gte", "lte"):
        if field.type not in RANGE_TYPES:
            raise ValidationError(FILTER_RANGE.format(key=key))
        value = clean_value(field, raw)
        if value is None:
            raise ValidationError(DATE_INVALID.format(name=field.name))
        return Q(team_id=field.team_id, **{f"custom_fields__{key}__{lookup}": value})
    if field.type in CHOICE_TYPES:
        words = [w for w in raw.split(",") if w.strip()] or [""]
        ids = [_choice_id(field, w, CHOICE_INVALID) for w in words]
        match = Q()
        for choice_id in ids:
            match |= _has(key, [choice_id] if field.type == FieldType.MULTI_CHOICE else choice_id)
        return Q(team_id=field.team_id) & match
    if field.type == FieldType.PERSON:
        ref = _person_ref(field, raw)
        if isinstance(ref, str):
            from portal.accounts.models import User

            found = User.objects.filter(username=ref).values_list("pk", flat=True).first()
            ref = found if found is not None else -1
        return Q(team_id=field.team_id) & _has(key, ref)
    value = clean_value(field, raw)
    if value is None:
        return Q(team_id=field.team_id) & ~Q(custom_fields__has_key=key)
    return Q(team_id=field.team_id) & _has(key, value)


def order_expression(fields: list[CustomField]):
    """What `?ordering=cf_<key>` sorts by, for the fields of that key in several teams:
    choices by their place in the list, other values as stored."""
    key = fields[0].key
    if all(f.type not in CHOICE_TYPES for f in fields):
        return KeyTransform(key, "custom_fields")
    whens = [
        When(Q(team_id=f.team_id) & _has(key, c["id"]), then=Value(place))
        for f in fields
        if f.type == FieldType.CHOICE
        for place, c in enumerate(f.choices)
    ]
    return Case(*whens, default=None, output_field=IntegerField())
