"""The admin's task list filters are the task filter set's: same rows, same messages."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.tasks.filter_cases import BAD, CASES, names, resolve

CHANGELIST = reverse("admin:tasks_task_changelist")
ADMIN_FILTERS = {"team", "status", "priority", "assignee", "tag", "overdue", "is_archived"}
ADMIN_CASES = [(f, e) for f, e in CASES if f and set(f) <= ADMIN_FILTERS]


def _rows(client, member, query: str):
    client.force_login(member)
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    return response, response.context["cl"].result_list


@pytest.mark.parametrize(("filters", "expected"), ADMIN_CASES)
def test_each_list_filter_returns_its_rows(client, member, filter_world, filters, expected):
    query = urlencode(resolve(filters, filter_world))
    _, rows = _rows(client, member, query)
    assert names(rows, filter_world) == expected


def test_status_checkboxes_combine(client, member, filter_world):
    _, rows = _rows(client, member, "status=todo&status=blocked")
    assert names(rows, filter_world) == {"late", "nodate", "child"}


def test_due_range_and_completed_range(client, member, filter_world):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.localtime(filter_world["now"])
    week = now + timedelta(days=7)
    query = urlencode(
        {
            "due_date_from_0": now.strftime("%Y-%m-%d"),
            "due_date_from_1": now.strftime("%H:%M:%S"),
            "due_date_to_0": week.strftime("%Y-%m-%d"),
            "due_date_to_1": week.strftime("%H:%M:%S"),
        }
    )
    assert names(_rows(client, member, query)[1], filter_world) == {"soon"}
    day_ago = now - timedelta(days=1)
    query = urlencode(
        {
            "completed_at_from_0": day_ago.strftime("%Y-%m-%d"),
            "completed_at_from_1": day_ago.strftime("%H:%M:%S"),
            "is_archived": "all",
        }
    )
    assert names(_rows(client, member, query)[1], filter_world) == {"done"}


def test_search_box_uses_the_vocabulary(client, member, filter_world):
    assert names(_rows(client, member, "q=invoice")[1], filter_world) == {"late"}
    key = filter_world["soon"].key
    assert names(_rows(client, member, f"q={key}")[1], filter_world) == {"soon"}


@pytest.mark.parametrize(
    ("filters", "name", "message"), [b for b in BAD if set(b[0]) <= ADMIN_FILTERS]
)
def test_bad_values_say_why_and_show_nothing(client, member, filter_world, filters, name, message):
    response, rows = _rows(client, member, urlencode(filters))
    assert list(rows) == []
    shown = [str(m) for m in response.context["messages"]]
    assert f"Filter {name}: {message}" in shown


def test_due_column_sorts_empty_dates_last_both_ways(client, member, filter_world):
    from portal.tasks.admin.task import TaskAdmin

    column = TaskAdmin.list_display.index("due_display") + 1
    ascending = [r for r in _rows(client, member, f"o={column}")[1]]
    descending = [r for r in _rows(client, member, f"o=-{column}")[1]]
    by_pk = {t.pk: n for n, t in filter_world.items() if hasattr(t, "pk")}
    assert [by_pk[t.pk] for t in ascending] == ["done", "late", "soon", "child", "nodate"]
    assert [by_pk[t.pk] for t in descending] == ["child", "soon", "late", "done", "nodate"]


def test_the_range_translation_goes_both_ways():
    """One mapping between the admin's range parameters and the filter set's names: the
    dashboard's links, the list's filters and background exports all read it."""
    from datetime import UTC, datetime, timedelta

    from django.http import QueryDict
    from django.utils import timezone

    from portal.tasks.admin.filters import admin_task_filters, range_filters, range_parameters

    start = datetime(2026, 11, 24, 15, 35, 12, tzinfo=UTC)
    params = range_parameters(completed_after=start, due_before=start + timedelta(days=7))
    local = timezone.localtime(start)
    assert params["completed_at_from_0"] == local.strftime("%Y-%m-%d")
    assert params["completed_at_from_1"] == local.strftime("%H:%M:%S")
    assert set(params) == {
        "completed_at_from_0",
        "completed_at_from_1",
        "due_date_to_0",
        "due_date_to_1",
    }
    filters = range_filters(params)
    assert set(filters) == {"completed_after", "due_before"}
    assert filters["completed_after"] == local.replace(tzinfo=None).isoformat()
    # Only the ranges asked for; a missing time is midnight.
    assert range_filters(params, ["due_date"]) == {"due_before": filters["due_before"]}
    assert range_filters({"due_date_from_0": "2026-11-24"}) == {"due_after": "2026-11-24T00:00:00"}
    # A background export reads the list's query string the same way.
    query = QueryDict(f"status=todo&q=invoice&foo=1&{urlencode(params)}")
    assert admin_task_filters(query) == {"status": "todo", "search": "invoice", **filters}
