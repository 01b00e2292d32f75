"""`manage.py benchmark` at a small size: every row, JSON, --only, refusal, --keep.

No timing is asserted (machines differ); only that each measure ran and reported numbers.
"""

import json
from io import StringIO

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from portal.accounts.models import User
from portal.devtools.data import PREFIX, RUNNER, TAG_NAMES, TEAMS
from portal.devtools.management.commands.benchmark import NOT_A_RUN, REFUSED, UNKNOWN
from portal.devtools.measures import CLIENT_ADDRESS, NAMES
from portal.events.models import Event
from portal.tasks.models import Comment, CustomField, Tag, Task
from portal.teams.models import Team
from portal.webhooks.models import Delivery, Endpoint
from tests.factories import TeamFactory

SMALL = {
    "tasks": 300,
    "iterations": 2,
    "warmup": 0,
    "sheet_rows": 20,
    "export_rows": 100,
    "events": 40,
    "cf_sheet_rows": 20,
    "summary_teams": 40,
}
PAGE_ROWS = (
    "team_board",
    "team_list",
    "team_task_list",
    "my_work",
    "task_page",
    "team_calendar",
    "activity",
    "reports",
)
ROWS = [n for n in NAMES if n != "explain"] + ["api_signin.hasher", "api_signin.rest"]


def run(*args, **options) -> str:
    out = StringIO()
    call_command("benchmark", *args, stdout=out, **{**SMALL, **options})
    return out.getvalue()


def bench_rows() -> dict[str, int]:
    return {
        "teams": Team.objects.filter(slug__startswith=PREFIX).count(),
        "people": User.objects.filter(username__startswith=PREFIX).count(),
        "tasks": Task.objects.count(),
        "comments": Comment.objects.count(),
        "tags": Tag.objects.count(),
        # What the outbox measures add: events, a webhook endpoint and its deliveries.
        "events": Event.objects.count(),
        "endpoints": Endpoint.objects.count(),
        "deliveries": Delivery.objects.count(),
        "custom_fields": CustomField.objects.count(),
    }


EMPTY = dict.fromkeys(
    (
        "teams",
        "people",
        "tasks",
        "comments",
        "tags",
        "events",
        "endpoints",
        "deliveries",
        "custom_fields",
    ),
    0,
)


@pytest.mark.django_db
def test_prints_every_row_and_removes_its_data():
    out = run()
    lines = out.splitlines()
    for name in ROWS:
        assert any(line.startswith(f"{name} ") for line in lines), name
    if connection.vendor == "postgresql":
        assert "EXPLAIN (ANALYZE):" in out
    else:
        assert "Query plans are PostgreSQL-only" in out
    assert bench_rows() == EMPTY


@pytest.mark.django_db
def test_json_has_every_measure_with_numbers(tmp_path):
    printed = run(json=True)
    doc = json.loads(printed)
    measures = {m["name"]: m for m in doc["measures"]}
    assert sorted(measures) == sorted(ROWS)
    for name, m in measures.items():
        if name != "api_signin.rest":  # a difference of two medians: may be tiny, never timed
            assert m["p50_ms"] > 0, name
        if name != "api_signin.hasher":  # a verify alone asks the database nothing
            assert m["queries"] > 0, name
        if m["floor_ms"] is not None:
            assert m["floor_ms"] > 0 and m["ratio"] > 0, name
    # Rows with a floor in the table carry one; rows with a target say whether it is met.
    for name in ("api_list_10", "api_list_50", "api_detail", "api_create", "sheet_import"):
        assert measures[name]["floor_ms"] > 0, name
    for name in ("api_list_10", "api_search", "api_create", "daily_summary", "api_signin"):
        assert isinstance(measures[name]["met"], bool), name
    assert measures["admin_changelist"]["extra"]["html_kb"] > 0
    # The outbox: the dispatch of SMALL["events"] events, and as many webhook deliveries to a
    # receiver on 127.0.0.1, each next to its floor, in events and deliveries a second.
    dispatch, delivery = measures["events_dispatch"], measures["webhook_delivery"]
    assert dispatch["extra"]["events"] == SMALL["events"] and dispatch["extra"]["events_per_s"] > 0
    assert delivery["extra"]["deliveries"] == SMALL["events"]
    assert delivery["samples"] == SMALL["events"]
    assert delivery["extra"]["deliveries_per_s"] > 0 and delivery["extra"]["floor_posts_per_s"] > 0
    assert delivery["p95_ms"] >= delivery["p50_ms"] > 0
    assert measures["daily_summary"]["extra"]["queries_per_team"] > 0
    # Custom fields: the filtered and ordered lists next to the unfiltered one, the create's
    # extra queries for five values, the import with five custom columns next to one without.
    for name in ("api_cf_filter", "api_cf_order", "api_create_cf", "sheet_import_cf"):
        assert measures[name]["floor_ms"] > 0 and isinstance(measures[name]["met"], bool), name
    assert "cf_severity=S1" in measures["api_cf_filter"]["note"]
    assert 0 <= measures["api_create_cf"]["extra"]["extra_queries"] <= 2
    assert measures["sheet_import_cf"]["extra"]["rows"] == SMALL["cf_sheet_rows"]
    # The team pages, each next to its floor and judged against the target (the task
    # page and the activity show changes made through the services for the run).
    for name in PAGE_ROWS:
        assert measures[name]["floor_ms"] > 0 and isinstance(measures[name]["met"], bool), name
    assert "comments" in measures["task_page"]["note"]
    # Where a sign-in's time goes besides the hasher: its queries by purpose.
    parts = measures["api_signin.rest"]["extra"]["queries_by_part"]
    assert {"lockout bookkeeping", "token writes"} <= set(parts)
    assert all(p["queries"] > 0 and p["ms"] > 0 for p in parts.values())
    counts = doc["dataset"]["counts"]
    assert counts["teams"] == TEAMS and counts["tasks"] == SMALL["tasks"]
    assert counts["assignee_links"] > 0 and counts["tag_links"] > 0 and counts["comments"] > 0
    assert doc["machine"]["cpus"] > 0 and doc["machine"]["django"]
    assert doc["tasks"] == SMALL["tasks"] and doc["seconds"] > 0
    if connection.vendor == "postgresql":
        assert doc["machine"]["postgresql"]
        requests = doc["explain"]["requests"]
        assert set(requests) >= {
            "api_list_10",
            "api_search",
            "api_cf_filter",
            "api_cf_order",
            "admin_changelist",
            "team_board",
        }
        assert all(r["explained"] > 0 for r in requests.values())
    else:
        assert "PostgreSQL-only" in doc["explain"]["note"]
    assert "sign_in" not in doc
    assert bench_rows() == EMPTY

    # A saved run prints again as the Markdown table of docs/benchmarks.md, measuring nothing.
    saved = tmp_path / "run.json"
    saved.write_text(printed)
    out = StringIO()
    call_command("benchmark", from_json=str(saved), markdown=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        "| measure | p50 ms | p95 ms | queries | floor ms | ratio | target | met | note |" in lines
    )
    for name in ROWS:
        assert any(line.startswith(f"| {name} |") for line in lines), name
    assert bench_rows() == EMPTY


@pytest.mark.django_db
def test_only_limits_the_rows():
    doc = json.loads(run(json=True, only=["team_board,api_list_10", "api_detail"]))
    assert [m["name"] for m in doc["measures"]] == ["api_list_10", "api_detail", "team_board"]
    assert "explain" not in doc


@pytest.mark.django_db
def test_an_unknown_measure_is_refused():
    with pytest.raises(CommandError) as caught:
        run(only=["api_list_10,nonsense"])
    assert str(caught.value).startswith(UNKNOWN.split("{")[0])
    assert "nonsense" in str(caught.value)


@pytest.mark.django_db
def test_refuses_a_database_with_data_unless_forced():
    TeamFactory(name="Operations", slug="operations", key="OPS")
    with pytest.raises(CommandError) as caught:
        run(only=["api_list_10"])
    assert str(caught.value) == REFUSED.format(what="teams: 1")
    assert Team.objects.count() == 1

    doc = json.loads(run(json=True, only=["api_list_10"], force=True))
    assert doc["measures"][0]["p50_ms"] > 0
    # The team that was there stays; what the benchmark built is gone.
    assert list(Team.objects.values_list("slug", flat=True)) == ["operations"]
    assert bench_rows() == EMPTY


@pytest.mark.django_db
def test_keep_leaves_a_data_set_to_sign_in_to_and_force_replaces_it():
    out = run(only=["api_list_10"], keep=True, password="kept-for-the-load-test")
    assert f"Sign in as {RUNNER} with the password kept-for-the-load-test" in out
    kept = bench_rows()
    assert kept["teams"] == TEAMS and kept["tasks"] == SMALL["tasks"]
    assert kept["tags"] == len(TAG_NAMES) and kept["comments"] > 0
    runner = User.objects.get(username=RUNNER)
    assert runner.memberships.count() == TEAMS
    # Task numbers follow the per-team counter, so the next task_create takes the next number.
    for team in Team.objects.filter(slug__startswith=PREFIX):
        numbers = sorted(team.tasks.values_list("number", flat=True))
        assert numbers == list(range(1, team.last_task_number + 1))
    # No rate-limit history is left behind for the load test that signs in next.
    for key in (f"throttle_login_{CLIENT_ADDRESS}", f"throttle_user_{runner.pk}"):
        assert cache.get(key) is None, key
    response = Client().post(
        "/api/auth/login/",
        {"username": RUNNER, "password": "kept-for-the-load-test"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["access"]
    # Others who may write share the password, for a load test signing in as many people.
    line = next(x for x in out.splitlines() if x.startswith("LOAD_PEOPLE="))
    people = line.removeprefix("LOAD_PEOPLE=").split(",")
    assert people[0] == RUNNER and len(people) == len(set(people)) > 1
    other = User.objects.get(username=people[-1])
    assert other.check_password("kept-for-the-load-test")
    assert other.memberships.exclude(role="viewer").exists()

    with pytest.raises(CommandError):
        run(only=["api_list_10"])
    doc = json.loads(run(json=True, only=["api_list_10"], force=True))
    assert doc["dataset"]["counts"]["tasks"] == SMALL["tasks"]
    assert bench_rows() == EMPTY


def test_a_file_that_is_not_a_saved_run_is_refused(tmp_path):
    broken = tmp_path / "run.json"
    broken.write_text("measured nothing")
    with pytest.raises(CommandError) as caught:
        call_command("benchmark", from_json=str(broken), stdout=StringIO())
    assert str(caught.value).startswith(NOT_A_RUN.split("{")[0])


@pytest.mark.django_db
def test_measuring_the_admin_list_at_100_rows_leaves_the_admin_as_it_was():
    model_admin = admin.site._registry[Task]
    assert "list_per_page" not in vars(model_admin)
    run(only=["admin_changelist"])
    assert "list_per_page" not in vars(model_admin)
    assert model_admin.list_per_page == type(model_admin).list_per_page


@pytest.mark.django_db
def test_a_kept_data_set_keeps_no_webhook_endpoint_aimed_at_the_runs_receiver():
    doc = json.loads(run(json=True, only=["webhook_delivery"], keep=True))
    assert doc["measures"][0]["extra"]["deliveries"] == SMALL["events"]
    kept = bench_rows()
    assert kept["tasks"] == SMALL["tasks"] and kept["events"] > 0  # the event log stays
    assert (kept["endpoints"], kept["deliveries"]) == (0, 0)
