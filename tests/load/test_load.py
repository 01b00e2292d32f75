"""The load test, short: 10 s, a handful of users, a real gunicorn with 2 workers.

It runs tests/load/run.py exactly as `make loadtest` does, on a scratch database loaded by
the commands an operator types (`manage.py migrate`, `manage.py demo`): on PostgreSQL a
fresh database beside DATABASE_URL's (dropped afterwards), otherwise a SQLite file. Every
request must succeed and every request name of the mix must have run at least once, so the
test cannot pass on a mix that silently skipped a part. No timing is asserted: the figures
are printed for people to read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.load import mix

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.load


def _postgres(url: str, sql: str) -> None:
    import psycopg

    parts = urlparse(url)
    admin = urlunparse(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql)


@pytest.fixture
def database(tmp_path):
    """A scratch database URL: PostgreSQL beside DATABASE_URL's, or a SQLite file."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        name = f"portal_load_{uuid.uuid4().hex[:10]}"
        _postgres(base, f'CREATE DATABASE "{name}"')
        try:
            yield urlunparse(urlparse(base)._replace(path=f"/{name}"))
        finally:
            _postgres(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        # A file both gunicorn workers share (the settings make SQLite transactions take the
        # write lock when they begin, so concurrent writers wait instead of failing).
        yield f"sqlite:///{tmp_path / 'portal.sqlite3'}"


@pytest.fixture
def environment(database, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=database,
        VAR_DIR=str(tmp_path / "var"),
        # Throttle counters and cached rows of this server apart from any other run's.
        CACHE_KEY_PREFIX=f"loadtest-{uuid.uuid4().hex[:8]}",
        LOAD_WAIT="0.05,0.2",
    )
    for command in (["migrate", "--noinput", "-v0"], ["demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return env


def test_ten_seconds_of_the_mix_without_an_error(environment, tmp_path):
    figures = tmp_path / "load.json"
    result = subprocess.run(
        [
            *(sys.executable, "tests/load/run.py", "--users", "5", "--spawn-rate", "5"),
            *("--duration", "10", "--json", str(figures), "--log", str(tmp_path / "web.log")),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=150,
    )
    print(result.stdout)
    assert figures.exists(), result.stdout + result.stderr
    stats = json.loads(figures.read_text())
    counts = {row["name"]: row["requests"] for row in stats["endpoints"]}
    assert [name for name in mix.ALL_NAMES if not counts.get(name)] == [], result.stdout
    assert stats["total"]["failures"] == 0, result.stdout
    assert stats["failures"] == [] and stats["exceptions"] == [], result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
