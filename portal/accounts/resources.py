"""The people sheet: accounts without passwords (an imported person resets theirs).

Exports never contain passwords or their hashes. Imports are for administrators: each row adds
a person (with an unusable password) or changes one, through the account services.
"""

from __future__ import annotations

from typing import Any

from import_export import fields

from portal.accounts import services
from portal.accounts.models import User
from portal.accounts.usernames import username_key, users_by_usernames
from portal.core.resources import (
    NO,
    YES,
    CellError,
    SheetResource,
    text,
    yes_no,
)
from portal.core.sheet_import import CellProblem, RowSheet

USER_COLUMNS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "receive_daily_summary",
)
USERNAME_REQUIRED = "Enter the person's username."
DEFAULTS = {"is_active": True, "receive_daily_summary": False}


class UserResource(SheetResource):
    columns = USER_COLUMNS
    username = fields.Field(column_name="username")
    email = fields.Field(column_name="email")
    first_name = fields.Field(column_name="first_name")
    last_name = fields.Field(column_name="last_name")
    is_active = fields.Field(column_name="is_active")
    receive_daily_summary = fields.Field(column_name="receive_daily_summary")

    class Meta:
        model = User
        fields = USER_COLUMNS
        import_id_fields = ["username"]
        name = "People"

    def row(self, user: User) -> list[Any]:
        return [
            user.username,
            user.email,
            user.first_name,
            user.last_name,
            YES if user.is_active else NO,
            YES if user.receive_daily_summary else NO,
        ]

    def example(self, user) -> list[Any]:
        return ["alex", "alex@example.com", "Alex", "Doe", YES, NO]

    def column_help(self, user) -> list[list[str]]:
        return [
            [
                "username",
                "Unique ignoring case and look-alike letters; no @; a new username adds a person.",
                "Text",
            ],
            ["email", "Unique ignoring case; optional.", "name@example.com"],
            ["first_name", "Optional.", "Text"],
            ["last_name", "Optional.", "Text"],
            ["is_active", "Empty means yes.", "yes or no"],
            ["receive_daily_summary", "Empty means no.", "yes or no"],
        ]

    def sheet_for(self, user, headers, cells, progress):
        return _UserSheet(user, headers, cells, progress)


class _UserSheet(RowSheet):
    columns = USER_COLUMNS
    key = "username"

    def prepare(self) -> None:
        names = {text(self.sheet.value(c, "username")) for c in self.cells}
        self.people = users_by_usernames(names)

    def existing(self, values):
        # A row names an existing person by any form of their name ("MEMBER", full-width "member").
        name = text(values.get("username")).strip()
        if not name:
            raise CellProblem("username", USERNAME_REQUIRED)
        return self.people.get(username_key(name))

    def changes(self, person, values):
        wanted: dict[str, Any] = {}
        for name in USER_COLUMNS[1:]:
            if name not in values:
                continue
            if name in DEFAULTS:
                try:
                    wanted[name] = (
                        yes_no(values[name]) if text(values[name]).strip() else DEFAULTS[name]
                    )
                except CellError as exc:
                    raise CellProblem(name, str(exc)) from None
            else:
                wanted[name] = text(values[name]).strip()
        if "email" in wanted:
            wanted["email"] = wanted["email"].lower()  # stored lower-case (User.clean)
        if person is None:
            return {"username": text(values["username"]).strip(), **wanted}
        return {k: v for k, v in wanted.items() if getattr(person, k) != v}

    def apply(self, person, values, changes):
        if person is None:
            return services.user_create(actor=self.user, **changes)
        return services.user_update(actor=self.user, user=person, **changes)
