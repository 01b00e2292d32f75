"""What reports, exports and the daily summary read while the replica is held behind the primary.

Run by tests/deploy/test_replica.py as `python -m tests.deploy.replica_scenario` with
DATABASE_URL (the primary) and DATABASE_REPLICA_URL (its streaming replica) set, on a migrated
database. It pauses the replica's replay, writes on the primary, and prints as JSON what each
reader saw: a figure as of the pause was read on the replica, an up-to-date one on the primary.
The test makes the assertions.
"""

from __future__ import annotations

import csv
import io
import json
import time

import django

django.setup()

from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.core.replica import PIN_COOKIE, REPLICA, replica_reads  # noqa: E402
from portal.jobs.selectors import teams_summaries  # noqa: E402
from portal.reports.selectors import kpis, team_counts  # noqa: E402
from portal.spreadsheets.services import sheet_export  # noqa: E402
from portal.tasks.models import Task  # noqa: E402
from portal.tasks.services import task_create  # noqa: E402
from portal.teams.models import Role  # noqa: E402
from tests.factories import MembershipFactory, TeamFactory, UserFactory  # noqa: E402


def _one(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    lsn = _one("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + 20
    while not _one(REPLICA, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


def _pause_replay() -> None:
    _one(REPLICA, "SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + 20
    while _one(REPLICA, "SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "the replica did not pause"
        time.sleep(0.05)


def _csv_rows(body: bytes) -> int:
    return len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1  # the header


def _readers(lead, team) -> dict:
    """Each reader's open-task figure (not in a request: nobody is pinned to the primary)."""
    export = sheet_export(user=lead, sheet="tasks", fmt="csv", background=False)
    with transaction.atomic():  # a transaction on the primary reads there, reports too
        in_transaction = kpis(fetched_by=lead)["open"]
    return {
        "report": kpis(fetched_by=lead)["open"],
        "team_counts": team_counts(fetched_by=lead)[team.pk]["open"],
        "export": _csv_rows(export.response().content),
        "summary": teams_summaries(teams=[team], day=timezone.localdate())[0].open_total,
        "other_reads": Task.objects.filter(team=team).count(),
        "in_transaction": in_transaction,
    }


def _page(client: Client, url: str) -> dict:
    """What one request read, and on which database."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = {
        "primary_queries": len(primary.captured_queries),
        "replica_queries": len(replica.captured_queries),
    }
    if url.endswith(".csv"):
        found["rows"] = _csv_rows(
            b"".join(getattr(response, "streaming_content", [])) or response.content
        )
    return found


def main() -> dict:
    setup_test_environment()  # the test client's host, and captured queries
    team = TeamFactory(name="Replica", slug="replica", key="REP")
    lead, member = UserFactory(username="lead"), UserFactory(username="member")
    MembershipFactory(user=lead, team=team, role=Role.LEAD)
    MembershipFactory(user=member, team=team, role=Role.MEMBER)
    for n in range(3):
        task_create(actor=lead, team=team, title=f"Before the pause {n}")
    _caught_up()
    seen: dict = {
        "in_recovery": {a: _one(a, "SELECT pg_is_in_recovery()") for a in ("default", REPLICA)}
    }

    _pause_replay()
    for n in range(2):
        task_create(actor=lead, team=team, title=f"While paused {n}")
    with replica_reads():  # a write inside the replica's scope still goes to the primary
        task_create(actor=lead, team=team, title="Written inside replica_reads")
    seen["paused"] = _readers(lead, team)

    # Through the doors: a person who did not write reads the replica; one who just wrote
    # (an API create) is pinned to the primary by the cookie the answer set.
    report, export = f"/teams/{team.slug}/reports/", f"/teams/{team.slug}/tasks/export.csv"
    reader, writer = Client(), Client()
    reader.force_login(member)
    writer.force_login(lead)
    seen["reader"] = {"report": _page(reader, report), "export": _page(reader, export)}
    created = writer.post(
        "/api/tasks/", {"team": team.pk, "title": "Just written"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    seen["pin_cookie"] = PIN_COOKIE in created.cookies
    seen["writer"] = {"report": _page(writer, report), "export": _page(writer, export)}

    _one(REPLICA, "SELECT pg_wal_replay_resume()")
    _caught_up()
    seen["resumed"] = _readers(lead, team)
    return seen


if __name__ == "__main__":
    print(json.dumps(main()))
