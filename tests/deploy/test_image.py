"""What goes into the image: the build context (.dockerignore), the hashed lock, the layer
order, and the JSON lines its entrypoint and one-shot deploy write."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from docker.utils.build import exclude_paths
from packaging.utils import canonicalize_name

from tests.deploy.conftest import ROOT, image_sources, production_env

SECRETS_AND_LEFTOVERS = [
    ".env",
    ".env.production",
    "var/secret_key",
    "var/portal.sqlite3",
    ".git/config",
    ".venv/bin/python",
    "tests/test_x.py",
    "htmlcov/index.html",
    ".pytest_cache/v/cache",
    "docs/screenshots/board.png",
    "portal/core/__pycache__/x.cpython-312.pyc",
    "portal/.env",
    "staticfiles/app.css",
]


def _context(root) -> set[str]:
    """The files `docker build` would send from `root` (docker's own .dockerignore matching)."""
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return exclude_paths(str(root), patterns)


def test_build_context_excludes_secrets_and_leftovers(tmp_path):
    for name in [*SECRETS_AND_LEFTOVERS, "manage.py", "portal/core/x.py", "templates/a.html"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    sent = _context(tmp_path)
    assert not set(SECRETS_AND_LEFTOVERS) & sent
    assert {"manage.py", "portal/core/x.py", "templates/a.html"} <= sent


def test_build_context_holds_everything_the_dockerfile_copies():
    sent = _context(ROOT)
    for source in [*image_sources(), "requirements/base.lock"]:
        assert source in sent or any(path.startswith(source + "/") for path in sent), source
    assert not {".env", "var", ".git", ".venv"} & {path.split("/")[0] for path in sent}


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def lock_problems(requirements: str, lock: str) -> list[str]:
    """Pins in base.txt that the lock does not hold at the same version, and locked packages
    without a hash."""
    locked = _pins(lock)
    problems = [
        f"{name}=={version} is locked as {locked.get(name)}"
        for name, version in _pins(requirements).items()
        if locked.get(name) != version
    ]
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock)
    problems += [
        f"{entry.split()[0]} has no hash"
        for entry in entries
        if re.match(r"[A-Za-z0-9]", entry) and "--hash=sha256:" not in entry
    ]
    return problems


def test_the_hashed_lock_matches_the_pins():
    requirements = (ROOT / "requirements/base.txt").read_text()
    lock = (ROOT / "requirements/base.lock").read_text()
    assert "#    make lock" in lock
    assert lock_problems(requirements, lock) == []
    # Extras are locked too (psycopg's binary build, the xlsx writer).
    assert {"psycopg-binary", "openpyxl"} <= set(_pins(lock))
    # The check fails when base.txt moves on without `make lock`, or a hash is missing.
    assert lock_problems(requirements.replace("Django==", "Django==9.9.9\n#"), lock) == [
        f"django==9.9.9 is locked as {_pins(lock)['django']}"
    ]
    assert lock_problems(requirements, "left-out==1.0\n" + lock) == ["left-out==1.0 has no hash"]


def test_a_template_change_does_not_rebuild_collectstatic_or_the_byte_code():
    lines = (ROOT / "Dockerfile").read_text().splitlines()

    def first(prefix: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(prefix))

    assert first("COPY portal/") < first("RUN python -m compileall") < first("COPY templates/")
    assert first("COPY static/") < first("RUN SECRET_KEY=") < first("COPY templates/")
    assert first("COPY templates/") > first("RUN --mount=type=bind,from=builder")


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_entrypoint_and_deploy_write_json_log_lines(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", LOG_LEVEL="INFO")
    # `python` is this virtualenv's, as in the image.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    result = subprocess.run(
        ["sh", "portal/core/entrypoint.sh", "python", "manage.py", "deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    records = _json_lines(result.stdout)  # every line is JSON
    messages = [record["message"] for record in records]
    assert messages[0] == "database and redis are reachable"
    assert records[0]["logger"] == "portal.entrypoint"
    assert any(message.startswith("Applying tasks.0001") for message in messages)
    assert "daily-summary: created" in messages
    assert messages[-1] == "deploy steps done"
    assert {record["logger"] for record in records[1:]} == {"portal.deploy"}
