"""The tag sheet and the comment sheet (export only)."""

import pytest

from portal.tasks import permissions as task_perms
from portal.tasks.models import COLOR_INVALID, Tag
from portal.tasks.resources import (
    COLOR_REQUIRED,
    CommentResource,
    TagResource,
    comments_for_sheet,
    tags_for_sheet,
)
from portal.tasks.services import comment_add
from portal.teams.permissions import DENIED_SUPERUSER
from tests.sheets import as_dicts, export_bytes, import_rows, problems, read_csv


def test_member_adds_tags_and_cannot_recolour_shared_ones(sheet_world, member):
    rows = [["name", "color"], ["infra", "#123ABC"], ["new-one", "#00FF00"], ["plain", ""]]
    result = import_rows(TagResource(), member, rows)
    assert problems(result) == []
    assert result.counts()["new"] == 2
    assert Tag.objects.get(name="new-one").color == "#00FF00"
    assert Tag.objects.get(name="plain").color == "#607D8B"  # the default
    recolour = import_rows(TagResource(), member, [["name", "color"], ["infra", "#000000"]])
    assert problems(recolour) == [(2, "name", DENIED_SUPERUSER)]


def test_superuser_recolours(sheet_world, superuser):
    result = import_rows(TagResource(), superuser, [["name", "color"], ["INFRA", "#000000"]])
    assert result.counts()["updated"] == 1
    assert Tag.objects.get(name__iexact="infra").color == "#000000"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["infra", ""], "color", COLOR_REQUIRED),
        (["fresh", "red"], "color", COLOR_INVALID),
        (["", "#000000"], "name", None),
    ],
)
def test_tag_row_errors(sheet_world, superuser, row, column, message):
    result = import_rows(TagResource(), superuser, [["name", "color"], row])
    assert [p.column for p in result.problems] == [column]
    if message:
        assert result.problems[0].message == message


def test_viewer_cannot_add_tags(sheet_world, viewer):
    result = import_rows(TagResource(), viewer, [["name"], ["mine"]])
    assert problems(result) == [(2, "name", task_perms.DENIED_TAG)]
    assert not Tag.objects.filter(name="mine").exists()


def test_duplicate_tag_names(sheet_world, member):
    result = import_rows(TagResource(), member, [["name"], ["a"], ["A"]])
    assert [p.row for p in result.problems] == [2, 3]


def test_comment_sheet(sheet_world, member, outsider):
    comment_add(actor=member, task=sheet_world["parent"], body="@here please look")
    rows = as_dicts(read_csv(export_bytes(CommentResource(), comments_for_sheet(member), "csv")))
    assert rows == [{**rows[0], "task": "OPS-1", "author": "member", "body": "'@here please look"}]
    assert list(CommentResource().rows(comments_for_sheet(outsider))) == []


def test_tags_of_other_teams_stay_hidden(sheet_world, outsider):
    names = {row[0] for row in TagResource().rows(tags_for_sheet(outsider))}
    assert not names & {"infra", "billing"}
