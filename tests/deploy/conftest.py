import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    """A clean environment (nothing inherited from the test run) with production variables."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        DEBUG="false",
        SECRET_KEY="x7Hq-production-like-key-for-tests-only-4kP9vL2mN8sR3tW6yZ1bC5dF0gJ",
        ALLOWED_HOSTS="tasks.example.com",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(
    *args: str, env: dict[str, str], timeout: float = 120, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def image_sources() -> list[str]:
    """What the Dockerfile's runtime stage copies from the repository (its COPY lines)."""
    sources = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            sources += [
                s.rstrip("/") for s in line.split()[1:-1] if not s.startswith("requirements")
            ]
    return sources


@pytest.fixture(scope="session")
def image_root(tmp_path_factory) -> Path:
    """The application folder as the image has it: only what the Dockerfile copies (no .env,
    no tests), so the deployment tests also prove that nothing needed is left out."""
    app = tmp_path_factory.mktemp("app")
    for source in image_sources():
        path = ROOT / source
        if path.is_dir():
            shutil.copytree(path, app / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, app / source)
    return app


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory, image_root) -> Path:
    """`collectstatic` as the image build runs it (DEBUG off: hashed and compressed files)."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = manage(
        "collectstatic", "--noinput", env=production_env(STATIC_ROOT=str(root)), cwd=image_root
    )
    assert result.returncode == 0, result.stderr
    return root
