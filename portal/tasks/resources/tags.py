"""The tag sheet: names and colours, tags seen the way the API sees them."""

from __future__ import annotations

from typing import Any

from import_export import fields

from portal.core.resources import SheetResource, text
from portal.core.sheet_import import CellProblem, RowSheet
from portal.tasks import services
from portal.tasks.models import TAG_TAKEN, Tag
from portal.tasks.selectors import tags_seen_by, tags_visible_to

TAG_COLUMNS = ("name", "color")
COLOR_REQUIRED = "Enter a colour as #RRGGBB."
TAG_NAME_REQUIRED = "Enter the tag's name."
# What creating a tag of a taken name answers at every door (the API, the tag sheet).
TAG_NAME_TAKEN = TAG_TAKEN.removesuffix(".") + ": {names}."


def tags_for_sheet(user, filters=None):
    return tags_visible_to(fetched_by=user).order_by("name")


class TagResource(SheetResource):
    """Tags: name (unique ignoring case) and colour. Members add tags; administrators change them."""

    columns = TAG_COLUMNS
    name = fields.Field(column_name="name")
    color = fields.Field(column_name="color")

    class Meta:
        model = Tag
        fields = TAG_COLUMNS
        import_id_fields = ["name"]
        name = "Tags"

    def row(self, tag: Tag) -> list[Any]:
        return [tag.name, tag.color]

    def example(self, user) -> list[Any]:
        return ["security", "#E53935"]

    def column_help(self, user) -> list[list[str]]:
        return [
            ["name", "Up to 50 characters, unique ignoring case; new names add tags.", "Text"],
            ["color", "Empty for a new tag: grey. Changing a tag: administrators.", "#RRGGBB"],
        ]

    def sheet_for(self, user, headers, cells, progress):
        return _TagSheet(user, headers, cells, progress)


class _TagSheet(RowSheet):
    columns = TAG_COLUMNS
    key = "name"

    def prepare(self) -> None:
        names = [text(self.sheet.value(cells, "name")).strip() for cells in self.cells]
        self.tags, _ = tags_seen_by(fetched_by=self.user, names=(n for n in names if n))

    def existing(self, values):
        name = text(values.get("name")).strip()
        if not name:
            raise CellProblem("name", TAG_NAME_REQUIRED)
        return self.tags.get(name.lower())

    def changes(self, tag, values):
        name = text(values.get("name")).strip()
        color = text(values.get("color")).strip() if "color" in values else None
        if tag is None:
            return {"name": name, "color": color or None}
        if color == "":
            raise CellProblem("color", COLOR_REQUIRED)
        found = {"name": name, "color": color if color is not None else tag.color}
        return {k: v for k, v in found.items() if v != getattr(tag, k)}

    def apply(self, tag, values, changes):
        if tag is None:
            return services.tag_create(actor=self.user, **changes)
        return services.tag_update(actor=self.user, tag=tag, **changes)
