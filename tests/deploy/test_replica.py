"""Against a real PostgreSQL streaming replica: reports, exports and the daily summary read from
it, writes and a person's pages right after their write use the primary.

The pair is made here (initdb, pg_basebackup -R) on two loopback ports and removed at the end,
so the test needs PostgreSQL's server programs (PG_BIN), not the suite's database. The proof
is the replica held back: its replay is paused, the primary gets new tasks, and each reader's
figure says which server answered (the replica still has the older one).
"""

import json
import subprocess
import sys

import pytest

from tests.deploy.conftest import ROOT
from tests.deploy.postgres_pair import PG_BIN, PostgresPair
from tests.settings.conftest import clean_env

pytestmark = pytest.mark.replica

BEFORE, AFTER = 3, 6  # open tasks on the replica while paused; on the primary by then


@pytest.fixture(scope="module")
def pair():
    assert (PG_BIN / "pg_basebackup").exists(), f"PostgreSQL's server programs are not in {PG_BIN}"
    servers = PostgresPair()
    try:
        servers.start()
        servers.start_replica()
        yield servers
    finally:
        servers.stop()


def _run(pair, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = clean_env(
        DATABASE_URL=pair.url(pair.primary_port),
        DATABASE_REPLICA_URL=pair.url(pair.replica_port),
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        LOG_LEVEL="WARNING",
    )
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_reads_that_may_lag_go_to_the_replica(pair):
    # The schema reaches the replica by replication: migrations run on the primary only.
    _run(pair, "manage.py", "migrate", "-v0")
    assert pair.psql(pair.replica_port, "SELECT count(*) > 0 FROM django_migrations") == "t"
    seen = json.loads(_run(pair, "-m", "tests.deploy.replica_scenario").stdout.splitlines()[-1])

    assert seen["in_recovery"] == {"default": False, "replica": True}
    # Paused: reports, exports and the summary show the replica's figure; other reads, reads in
    # a transaction and the write made inside the replica's scope went to the primary.
    assert seen["paused"] == {
        "report": BEFORE,
        "team_counts": BEFORE,
        "export": BEFORE,
        "summary": BEFORE,
        "other_reads": AFTER,
        "in_transaction": AFTER,
    }
    # Someone who did not write: the report page and the task export read the replica.
    reader = seen["reader"]
    assert reader["report"]["replica_queries"] > 0 and reader["export"]["replica_queries"] > 0
    assert reader["export"]["rows"] == BEFORE
    # Someone who just wrote: pinned to the primary, their export shows their new task.
    writer = seen["writer"]
    assert seen["pin_cookie"] is True
    assert writer["report"]["replica_queries"] == 0 and writer["export"]["replica_queries"] == 0
    assert writer["export"]["rows"] == AFTER + 1
    # Replay resumed: the replica has caught up with everything.
    assert set(seen["resumed"].values()) == {AFTER + 1}
