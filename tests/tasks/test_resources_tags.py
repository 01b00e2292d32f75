"""The tag sheet and the comment sheet (export only)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.tasks import permissions as task_perms
from portal.tasks.models import COLOR_INVALID, TAG_TAKEN, Tag, Task
from portal.tasks.resources import (
    COLOR_REQUIRED,
    TAG_NAME_TAKEN,
    CommentResource,
    TagResource,
    TaskResource,
    comments_for_sheet,
    tags_for_sheet,
)
from portal.tasks.services import comment_add, task_create
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


# --- tags of other teams, named in an import -----------------------------------------------------
@pytest.fixture
def hidden_tag(sheet_world, outsider, other_team):
    """A tag only another team uses: its name must not be confirmed, nor the tag handed over."""
    tag = Tag.objects.create(name="w3-des-secret", color="#FF0000")
    task_create(actor=outsider, team=other_team, title="Design only", tags=[tag])
    return tag


@pytest.mark.parametrize("name", ["w3-des-secret", "W3-DES-SECRET"])
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_task_import_does_not_attach_another_teams_tag(hidden_tag, member, name, dry_run):
    rows = [["team", "title", "tags"], ["OPS", "Mine", f"infra, {name}"]]
    result = import_rows(TaskResource(), member, rows, dry_run=dry_run)
    # The same answer as creating a tag of that name through the API or the tag sheet.
    assert problems(result) == [(2, "tags", TAG_NAME_TAKEN.format(names=name))]
    assert not Task.objects.filter(title="Mine").exists()
    assert list(hidden_tag.tasks.values_list("team__key", flat=True)) == ["DES"]


def test_a_task_import_creates_unknown_names_and_uses_visible_ones(hidden_tag, member):
    rows = [["team", "title", "tags"], ["OPS", "Mine", "INFRA, brand-new"]]
    assert problems(import_rows(TaskResource(), member, rows)) == []
    task = Task.objects.get(title="Mine")
    assert sorted(task.tags.values_list("name", flat=True)) == ["brand-new", "infra"]


def test_administrators_and_the_owning_team_attach_the_tag(hidden_tag, superuser, outsider):
    for who in (superuser, outsider):
        rows = [["team", "title", "tags"], ["DES", f"By {who.username}", "W3-DES-SECRET"]]
        assert problems(import_rows(TaskResource(), who, rows)) == []
    assert hidden_tag.tasks.count() == 3


def test_the_tag_sheet_answers_like_the_api_for_another_teams_tag(hidden_tag, member):
    api = APIClient()
    api.force_authenticate(member)
    answer = api.post(reverse("api:tag-list"), {"name": "w3-des-secret"}, format="json")
    assert answer.status_code == 400 and TAG_TAKEN in str(answer.json())
    for row in (["w3-des-secret"], ["w3-des-secret", "#00FF00"]):
        result = import_rows(TagResource(), member, [["name", "color"][: len(row)], row])
        assert problems(result) == [(2, "name", TAG_TAKEN)]
    hidden_tag.refresh_from_db()
    assert hidden_tag.color == "#FF0000"
