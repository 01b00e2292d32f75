"""Every sheet round-trips: exporting, then importing the file unchanged, changes nothing."""

import pytest
from django.db.models import Max

from portal.accounts.models import User
from portal.core.resources import SHEET_EXPORT_ONLY
from portal.spreadsheets.registry import SHEETS, sheet_resource, sheet_rows_for
from portal.tasks.models import Comment, Tag, Task
from portal.tasks.services import comment_add
from portal.teams.models import Membership, Team
from tests.sheets import export_bytes, problems, table_of

MODELS = [Task, Tag, Comment, Team, Membership, User]
WHO = {"tasks": "lead", "tags": "member", "comments": "lead", "teams": "lead", "users": "superuser"}


@pytest.fixture(autouse=True)
def shared_dir(settings, tmp_path):
    """Uploads waiting for Confirm and job files go to a folder of this test's own."""
    settings.SHARED_DIR = tmp_path / "shared"


def _state():
    """Rows, last change times and history records of everything a sheet could touch."""
    state = {}
    for model in MODELS:
        stamp = "updated_at" if hasattr(model, "updated_at") else "last_login"
        state[model.__name__] = (model.objects.count(), model.objects.aggregate(m=Max(stamp))["m"])
        history = getattr(model, "history", None)
        if history is not None:
            state[f"{model.__name__} history"] = history.count()
    return state


def test_every_sheet_is_covered():
    assert set(WHO) == set(SHEETS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("sheet", sorted(SHEETS))
def test_round_trip_changes_nothing(sheet_world, people, sheet, fmt):
    comment_add(
        actor=people["member"], task=sheet_world["parent"], body="=1+1 looks\r\nlike a formula"
    )
    user = people[WHO[sheet]]
    resource = sheet_resource(sheet)()
    content = export_bytes(resource, sheet_rows_for(sheet, user), fmt)
    before = _state()
    result = resource.import_data(table_of(content, fmt), dry_run=False, user=user)
    assert _state() == before
    if sheet == "comments":
        assert [p.message for p in result.problems] == [SHEET_EXPORT_ONLY]
        return
    assert problems(result) == []
    counts = result.counts()
    assert counts["unchanged"] == counts["rows"] > 0
