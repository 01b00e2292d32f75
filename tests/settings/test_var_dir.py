"""A fresh clone works without make: the SQLite default creates the folder it lives in."""

import subprocess
import sys

from tests.settings.conftest import ROOT, clean_env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_migrate_works_before_var_dir_exists(tmp_path):
    var = tmp_path / "fresh-clone" / "var"
    result = manage("migrate", "--noinput", env=clean_env(VAR_DIR=str(var)))
    assert result.returncode == 0, result.stderr
    assert (var / "portal.sqlite3").is_file()


def test_a_sqlite_database_url_gets_its_folder_too(tmp_path):
    database = tmp_path / "elsewhere" / "db" / "portal.sqlite3"
    env = clean_env(VAR_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite:///{database}")
    result = manage("check", "--database", "default", env=env)
    assert result.returncode == 0, result.stderr
    assert database.parent.is_dir()
