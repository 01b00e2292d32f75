"""Ids in request bodies: one or a list of them, resolved with one query, within the id range."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from portal.accounts.models import User
from portal.core.validators import ID_MAX, as_id
from portal.teams.models import TEAM_NAME_PATTERN, TEAM_REF_INVALID, parse_team_ref, team_ref_q

MAX_IDS = 100
TOO_MANY_IDS = "Send at most {limit} ids."


def _user(serializer) -> User | None:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class IdListField(serializers.ManyRelatedField):
    """A list of ids resolved with one query, at most MAX_IDS of them; duplicates count once."""

    default_error_messages = {"too_many": TOO_MANY_IDS}

    def to_internal_value(self, data):
        if isinstance(data, str | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        data = list(data)
        if not self.allow_empty and not data:
            self.fail("empty")
        if len(data) > MAX_IDS:
            self.fail("too_many", limit=MAX_IDS)
        return self.child_relation.to_internal_values(data)


class IdField(serializers.PrimaryKeyRelatedField):
    """A primary key from the field's queryset; `many=True` gives an IdListField.

    Only whole numbers a database id can hold are looked up: anything else is "incorrect
    type" or "does not exist", never a query the database would overflow on.
    """

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return IdListField(**list_kwargs)

    def get_queryset(self):
        # A callable is the queryset, built when an id is first looked up: a write that names
        # no parent builds no tasks queryset (building one costs a few tenths of a ms).
        if callable(self.queryset):
            self.queryset = self.queryset()
        return super().get_queryset()

    def _id(self, data) -> int | None:
        # JSON numbers only: the schema says integer, so "12" is refused like any text.
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return as_id(data)

    def to_internal_value(self, data):
        pk = self._id(data)
        found = self.get_queryset().filter(pk=pk).first() if pk is not None else None
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found

    def to_internal_values(self, data: list) -> list:
        ids = [self._id(item) for item in data]
        wanted = list(dict.fromkeys(pk for pk in ids if pk is not None))
        found = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=wanted)} if wanted else {}
        for item, pk in zip(data, ids, strict=True):
            if pk not in found:
                self.fail("does_not_exist", pk_value=item)
        # In the queryset's order (people by username, tags by name): the order a task shows
        # them in, so a write's answer can list them without reading them back.
        return list(found.values())


TEAM_UNKNOWN = "No team you can see is named {value}."


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 1, "maximum": ID_MAX},
            {"type": "string", "pattern": f"^({TEAM_NAME_PATTERN})$"},
        ],
        "description": "The team's id, or its key (OPS) or slug (operations).",
        "example": "OPS",
    }
)
class TeamRefField(IdField):
    """A team by id (a JSON number), or by key or slug (text), as imports and filters take it."""

    default_error_messages = {"unknown": TEAM_UNKNOWN, "invalid_ref": TEAM_REF_INVALID}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            return super().to_internal_value(data)
        try:
            ref = parse_team_ref(data)
        except ValueError:
            self.fail("invalid_ref")
        found = self.get_queryset().filter(team_ref_q(ref)).first()
        if found is None:
            self.fail("unknown", value=data.strip())
        return found
