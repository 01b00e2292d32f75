import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Prints the requested settings as JSON (paths and other objects as strings).
_PRINT = (
    "import json, sys; import portal.settings as s; "
    "print(json.dumps({n: getattr(s, n, None) for n in sys.argv[1:]}, default=str))"
)


def clean_env(**extra: str) -> dict[str, str]:
    """Nothing inherited from the test run (no DATABASE_URL, no .env values) but the basics."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(extra)
    return env


def load_settings(*names: str, env: dict[str, str], cwd: Path = ROOT) -> dict:
    """The named settings as a fresh process loads them with exactly `env`."""
    result = subprocess.run(
        [sys.executable, "-c", _PRINT, *names],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
