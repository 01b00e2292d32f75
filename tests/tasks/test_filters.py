"""The one task filter set, through `task_list`: every filter returns exactly its rows."""

import pytest
from django.core.exceptions import ValidationError

from portal.tasks.selectors import task_list
from tests.tasks.filter_cases import BAD, CASES, RANGE_CASES, names, resolve


@pytest.mark.parametrize(("filters", "expected"), CASES + RANGE_CASES)
def test_each_filter_returns_its_rows(member, filter_world, filters, expected):
    rows = task_list(fetched_by=member, filters=resolve(filters, filter_world))
    assert names(rows, filter_world) == expected


@pytest.mark.parametrize(("filters", "name", "message"), BAD)
def test_bad_values_name_the_filter(member, filter_world, filters, name, message):
    with pytest.raises(ValidationError) as exc:
        list(task_list(fetched_by=member, filters=filters))
    assert exc.value.message_dict == {name: [message]}


def test_plain_python_values(member, filter_world):
    rows = task_list(
        fetched_by=member, filters={"overdue": True, "assignee": "me", "status": ["todo"]}
    )
    assert names(rows, filter_world) == {"late"}


def test_outsiders_see_only_their_team(outsider, filter_world):
    assert names(task_list(fetched_by=outsider), filter_world) == {"foreign"}
    assert names(task_list(fetched_by=outsider, filters={"team": "OPS"}), filter_world) == set()


def _order(member, world, ordering):
    by_pk = {t.pk: name for name, t in world.items() if hasattr(t, "pk")}
    return [by_pk[t.pk] for t in task_list(fetched_by=member, filters={"ordering": ordering})]


def test_no_due_date_goes_last_in_both_directions(member, filter_world):
    # The same on SQLite and PostgreSQL, which disagree by default.
    assert _order(member, filter_world, "due_date") == ["done", "late", "soon", "child", "nodate"]
    assert _order(member, filter_world, "-due_date") == ["child", "soon", "late", "done", "nodate"]


def test_priority_orders_by_rank_and_ties_by_newest(member, filter_world):
    assert _order(member, filter_world, "-priority") == ["late", "soon", "child", "done", "nodate"]
    assert _order(member, filter_world, "priority")[0] == "nodate"
