"""Custom field values by type, valid and invalid: one table run at every door (the service,
the API, the team pages' form and the spreadsheet import).

`define(team, lead)` makes one field of each type in `team`; each case names a field key, the
value a door is given (as text when `text` is set: forms and sheets give text) and what the
task then stores, or the message it is refused with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.tasks import custom_fields as cf
from portal.tasks.services import custom_field_create

CHOICES = ["S1", "S2", "S3"]


def define(team, lead, people_key="owner") -> dict:
    """One field of each type in `team`, by key."""
    specs = [
        ("Note", "note", {"type": "text"}),
        ("Story", "story", {"type": "long_text"}),
        ("Points", "points", {"type": "number", "decimals": 1, "unit": "pt"}),
        ("Starts", "starts", {"type": "date"}),
        ("Severity", "severity", {"type": "choice", "choices": CHOICES, "on_card": True}),
        ("Areas", "areas", {"type": "multi_choice", "choices": ["api", "web", "ops"]}),
        ("Owner", people_key, {"type": "person"}),
        ("Billable", "billable", {"type": "checkbox"}),
        ("Link", "link", {"type": "url"}),
    ]
    return {
        key: custom_field_create(actor=lead, team=team, name=name, key=key, order=i, **extra)
        for i, (name, key, extra) in enumerate(specs)
    }


@dataclass(frozen=True)
class Case:
    key: str
    given: Any
    stored: Any = None  # a callable(fields, people) when it depends on ids
    error: str | None = None
    text: str | None = None  # how a form or a sheet gives the same value

    @property
    def id(self) -> str:
        return f"{self.key}-{'bad' if self.error else 'ok'}-{str(self.given)[:20]}"


def _choice(fields, key, *labels):
    ids = {c["label"]: c["id"] for c in fields[key].choices}
    return ids[labels[0]] if len(labels) == 1 else [ids[label] for label in labels]


CASES = [
    Case("note", "Call back", "Call back"),
    Case("note", "x" * 501, error=cf.TEXT_LONG.format(name="Note", max=500)),
    Case("story", "line 1\nline 2", "line 1\nline 2"),
    Case("points", 2.5, 2.5, text="2.5"),
    Case("points", "3", 3.0),
    Case("points", "2.55", error=cf.NUMBER_DECIMALS.format(name="Points", decimals=1)),
    Case("points", "lots", error=cf.NUMBER_INVALID.format(name="Points", example="12.5")),
    Case("starts", "2026-12-31", "2026-12-31"),
    Case("starts", "31/12/2026", error=cf.DATE_INVALID.format(name="Starts")),
    Case("severity", "S2", lambda f, p: _choice(f, "severity", "S2")),
    Case("severity", "s3", lambda f, p: _choice(f, "severity", "S3")),
    Case("severity", "S9", error=cf.CHOICE_INVALID.format(name="Severity", choices="S1, S2, S3")),
    Case("areas", ["web", "api"], lambda f, p: _choice(f, "areas", "api", "web"), text="web,api"),
    Case(
        "areas",
        ["mobile"],
        error=cf.CHOICES_INVALID_VALUE.format(name="Areas", choices="api, web, ops"),
        text="mobile",
    ),
    Case("owner", "member", lambda f, p: p["member"].pk),
    Case("owner", "outsider", error=cf.PERSON_INVALID.format(name="Owner", team="OPS")),
    Case("billable", True, True, text="yes"),
    Case("billable", "maybe", error=cf.CHECKBOX_INVALID.format(name="Billable")),
    Case("link", "https://example.com/a", "https://example.com/a"),
    Case("link", "ftp://example.com", error=cf.URL_INVALID.format(name="Link")),
]


def expected(case: Case, fields, people):
    return case.stored(fields, people) if callable(case.stored) else case.stored
