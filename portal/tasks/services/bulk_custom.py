"""What a bulk write reads once about custom fields: the definitions of the teams its rows
name, and the members person values may name (on first need, once per team)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from portal.tasks.custom_fields import fields_by_team, member_refs
from portal.teams.models import Team

# The custom field definitions of the teams a bulk write touches, by team id.
_DEFINITIONS: ContextVar[dict[int, list]] = ContextVar("custom_field_definitions")
# The members person values may name, by team id: read once per team a bulk write touches.
_MEMBERS: ContextVar[dict[int, dict]] = ContextVar("custom_field_members")


@contextmanager
def custom_fields_read_once(team_ids: Iterable[int]) -> Iterator[None]:
    """Within the block, `definitions` and `members` answer from what is read here (the
    definitions in one query) and on first need (the members)."""
    ids = set(team_ids)
    token = _DEFINITIONS.set({team_id: [] for team_id in ids} | fields_by_team(ids))
    people = _MEMBERS.set({})
    try:
        yield
    finally:
        _MEMBERS.reset(people)
        _DEFINITIONS.reset(token)


def definitions(team: Team) -> list:
    """The team's custom field definitions, read once per bulk write."""
    cache = _DEFINITIONS.get({})
    return cache[team.pk] if team.pk in cache else fields_by_team([team.pk]).get(team.pk, [])


def members(team: Team) -> Callable[[], dict]:
    """The team's members for person values, read on first need once per bulk write."""

    def read() -> dict:
        cache = _MEMBERS.get(None)
        if cache is None:
            return member_refs(team.pk)
        if team.pk not in cache:
            cache[team.pk] = member_refs(team.pk)
        return cache[team.pk]

    return read
