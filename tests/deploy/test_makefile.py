"""`make run` announces the address it really serves (HOST and PORT)."""

import subprocess

from tests.deploy.conftest import ROOT


def test_make_run_announces_host_and_port_everywhere():
    dry_run = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=9123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    commands = dry_run.stdout
    assert "manage.py demo --url http://0.0.0.0:9123/" in commands
    assert "team pages on http://0.0.0.0:9123/, admin on http://0.0.0.0:9123/admin/" in commands
    assert "runserver 0.0.0.0:9123" in commands
    # The system checks run once, at the server's start, not in each set-up step before it.
    assert "runserver 0.0.0.0:9123 --skip-checks" not in commands
    for step in ("migrate --noinput", "setup_schedules", "demo --url http://0.0.0.0:9123/"):
        assert f"manage.py {step} --skip-checks" in commands
    assert "8000" not in commands
