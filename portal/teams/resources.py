"""Spreadsheet doors for teams (with their members) and the people a person may see.

Members are written `username:role` pairs, comma-separated (`olivia:lead, marcus:member`).
Like every resource, these are built without arguments and take the acting person per call;
rows are written through the teams' services in one transaction, all or nothing.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.db.models import Prefetch
from django.db.models.functions import Lower
from import_export import fields

from portal.accounts.resources import UserResource
from portal.core.resources import (
    SheetResource,
    split_list,
    text,
)
from portal.core.sheet_import import CellProblem, RowSheet
from portal.teams import services
from portal.teams.models import Membership, Role, Team
from portal.teams.selectors import people_addable_by, teams_visible_to, users_visible_to

TEAM_COLUMNS = ("key", "name", "slug", "description", "members")
ROLE_INVALID = "“{value}” is not a role: write username:role with one of {roles}."
PERSON_UNKNOWN = "Unknown person: {names}."
MEMBER_REMOVAL = (
    "Remove {names} on the team's page: removing someone also takes them off the team's tasks."
)
KEY_REQUIRED = "Enter the team's key, such as OPS."


def teams_for_sheet(user, filters=None):
    members = Membership.objects.select_related("user").order_by("user__username")
    return teams_visible_to(fetched_by=user).prefetch_related(
        Prefetch("memberships", queryset=members)
    )


def users_for_sheet(user, filters=None):
    return users_visible_to(fetched_by=user)


def _members(team: Team) -> str:
    return ", ".join(f"{m.user.username}:{m.role}" for m in team.memberships.all())


class TeamResource(SheetResource):
    """Teams and their members; leads change their team, administrators add teams."""

    columns = TEAM_COLUMNS
    key = fields.Field(column_name="key")
    name = fields.Field(column_name="name")
    slug = fields.Field(column_name="slug")
    description = fields.Field(column_name="description")
    members = fields.Field(column_name="members")

    class Meta:
        model = Team
        fields = TEAM_COLUMNS
        import_id_fields = ["key"]
        name = "Teams"

    def row(self, team: Team) -> list[Any]:
        return [team.key, team.name, team.slug, team.description, _members(team)]

    def example(self, user) -> list[Any]:
        return ["OPS", "Operations", "operations", "Keeps the lights on.", f"{user.username}:lead"]

    def column_help(self, user) -> list[list[str]]:
        roles = ", ".join(f"{v} ({label})" for v, label in Role.choices)
        return [
            ["key", "2-10 upper-case letters; a new key adds a team (administrators).", "OPS"],
            ["name", "The team's name, unique.", "Text"],
            ["slug", "Used in addresses, unique.", "lower-case-words"],
            ["description", "Optional.", "Text"],
            ["members", "Everyone in the team; removing people is done on the team's page.",
             f"username:role, comma-separated; roles: {roles}"],
        ]  # fmt: skip

    def sheet_for(self, user, headers, cells, progress):
        return _TeamSheet(user, headers, cells, progress)


def _pairs(value: Any) -> dict[str, str]:
    """`alice:lead, bob` -> {"alice": "lead", "bob": "member"} (lower-cased usernames)."""
    pairs = {}
    roles = {r.value for r in Role} | {r.label.lower() for r in Role}
    for item in split_list(value):
        name, _, role = item.partition(":")
        role = (role.strip() or Role.MEMBER).lower()
        if role not in roles:
            raise CellProblem(
                "members", ROLE_INVALID.format(value=role[:30], roles=", ".join(Role.values))
            )
        pairs[name.strip().lower()] = next(
            r.value for r in Role if role in (r.value, r.label.lower())
        )
    return pairs


class _TeamSheet(RowSheet):
    columns = TEAM_COLUMNS
    key = "key"

    def prepare(self) -> None:
        self.teams = {t.key: t for t in teams_for_sheet(self.user)}
        logins = set()
        for cells in self.cells:
            with suppress(CellProblem):  # reported when the row is read
                logins.update(_pairs(self.sheet.value(cells, "members")))
        people = people_addable_by(fetched_by=self.user).annotate(lower_name=Lower("username"))
        self.people = {p.username.lower(): p for p in people.filter(lower_name__in=logins)}
        for team in self.teams.values():
            for membership in team.memberships.all():
                self.people.setdefault(membership.user.username.lower(), membership.user)

    def change_cells(self, team, name, value):
        if name != "members":
            return super().change_cells(team, name, value)
        # Only the people whose role changes (or who join), as `username:role`.
        current = {m.user.username.lower(): m for m in team.memberships.all()}
        old = [f"{current[n].user.username}:{current[n].role}" for n in value if n in current]
        return ", ".join(old), ", ".join(f"{n}:{role}" for n, role in value.items())

    def existing(self, values):
        key = text(values.get("key")).strip().upper()
        if not key:
            raise CellProblem("key", KEY_REQUIRED)
        return self.teams.get(key)

    def changes(self, team, values):
        found = {
            name: text(values[name]).strip() if name != "description" else text(values[name])
            for name in ("name", "slug", "description")
            if name in values
        }
        changes = {k: v for k, v in found.items() if team is None or v != getattr(team, k)}
        if team is None:
            changes["key"] = text(values.get("key")).strip().upper()
        if "members" in values:
            wanted = _pairs(values["members"])
            unknown = [n for n in wanted if n not in self.people]
            if unknown:
                raise CellProblem("members", PERSON_UNKNOWN.format(names=", ".join(unknown)))
            current = {m.user.username.lower(): m for m in team.memberships.all()} if team else {}
            gone = [m.user.username for n, m in current.items() if n not in wanted]
            if gone:
                raise CellProblem("members", MEMBER_REMOVAL.format(names=", ".join(gone)))
            moves = {
                n: role for n, role in wanted.items() if n not in current or current[n].role != role
            }
            if moves:
                changes["members"] = moves
        return changes

    def apply(self, team, values, changes):
        moves = changes.pop("members", {})
        if team is None:
            team = services.team_create(actor=self.user, **changes)
            current = {}
        else:
            if changes:
                team = services.team_update(actor=self.user, team=team, **changes)
            current = {m.user.username.lower(): m for m in team.memberships.all()}
        # Additions and promotions first, so a team never passes through having no lead.
        ordered = sorted(moves.items(), key=lambda item: item[1] != Role.LEAD)
        for name, role in ordered:
            if name in current:
                services.membership_change_role(
                    actor=self.user, membership=current[name], role=role
                )
            else:
                services.membership_add(
                    actor=self.user, team=team, user=self.people[name], role=role
                )
        return team


# The teams app's sheets, registered by the spreadsheets app when the portal starts. People are
# listed by team (who may see whom is a rule of teams), so the people's sheet is declared here.
SHEETS = {
    "teams": {"resource": TeamResource, "rows_for": teams_for_sheet},
    "users": {"resource": UserResource, "rows_for": users_for_sheet},
}
