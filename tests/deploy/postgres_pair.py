"""A throwaway PostgreSQL primary and its streaming replica, on loopback ports, for tests.

The machine's own server is not used as the primary: replication needs a `replication` line in
its pg_hba.conf, which a shared server need not have. `initdb` refuses to run as root, and CI
runs as root, so the clusters belong to the `postgres` user then (`runuser`); their folder is
made outside pytest's temporary folders, which the `postgres` user cannot enter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path

from tests.deploy.servers import free_port, wait_until

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "portal"

# Durability is not the point here: no fsync, small buffers, a fast start and stop.
PRIMARY_CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
max_connections = 40
shared_buffers = 16MB
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
"""


def _ports() -> tuple[int, int]:
    """Two free ports, or the two in PG_PAIR_PORTS ("5433,5434") when a machine fixes them."""
    given = os.environ.get("PG_PAIR_PORTS", "")
    if given:
        first, second = (int(p) for p in given.split(","))
        return first, second
    return free_port(), free_port()


class PostgresPair:
    """`start()` makes the primary, `primary_sql` prepares it (a schema), `start_replica()`
    copies it with pg_basebackup and starts the copy in recovery; `stop()` removes both."""

    def __init__(self):
        self.primary_port, self.replica_port = _ports()
        self.root = Path(tempfile.mkdtemp(prefix="pg-pair-"))
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.primary, self.replica = self.root / "primary", self.root / "replica"
        self.started: list[Path] = []

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    def _run(self, *args: str, timeout: float = 60) -> str:
        command = [*args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{args[0]} failed: {result.stderr or result.stdout}"
        return result.stdout

    def _pg_ctl(self, data: Path, action: str) -> None:
        log = self.root / f"{data.name}.log"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", *action.split())

    def psql(self, port: int, sql: str, database: str = DATABASE) -> str:
        return self._run(
            str(PG_BIN / "psql"),
            *("-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database),
            *("-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql),
        ).strip()

    def start(self) -> PostgresPair:
        self._run(
            str(PG_BIN / "initdb"),
            *("-D", str(self.primary), "-U", "postgres", "--auth=trust"),
            *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
        )
        conf = PRIMARY_CONF.format(port=self.primary_port, sockets=self.root)
        with (self.primary / "postgresql.conf").open("a") as fh:
            fh.write(conf)
        self._pg_ctl(self.primary, "start")
        self.started.append(self.primary)
        self.psql(self.primary_port, f"CREATE DATABASE {DATABASE}", database="postgres")
        return self

    def start_replica(self) -> None:
        """Copy the primary as it is now and start the copy as its streaming replica."""
        self._run(
            str(PG_BIN / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", str(self.replica), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"),
        )
        with (self.replica / "postgresql.auto.conf").open("a") as fh:
            fh.write(f"port = {self.replica_port}\n")
        self._pg_ctl(self.replica, "start")
        self.started.append(self.replica)
        wait_until(
            lambda: self.psql(self.replica_port, "SELECT pg_is_in_recovery()") == "t",
            timeout=20,
            what="the replica in recovery",
        )

    def stop(self) -> None:
        for data in reversed(self.started):
            # One already down: removing its folder is what is left to do.
            with suppress(AssertionError):
                self._pg_ctl(data, "stop -m immediate")
        self.started.clear()
        shutil.rmtree(self.root, ignore_errors=True)
