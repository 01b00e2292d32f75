"""Without SECRET_KEY, development signs with a random key made once per installation and
kept in VAR_DIR; production refuses to start."""

import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings.secret_key import (
    SECRET_KEY_EMPTY,
    SECRET_KEY_MISSING,
    development_secret_key,
)
from tests.settings.conftest import ROOT, clean_env, load_settings


def test_each_installation_gets_its_own_key_and_keeps_it(tmp_path):
    first, second = tmp_path / "one" / "var", tmp_path / "two" / "var"
    key = development_secret_key(first)
    assert len(key) >= 50
    assert development_secret_key(first) == key
    assert development_secret_key(second) != key
    path = first / "secret_key"
    assert path.read_text().strip() == key
    # Readable by the owner only, and nothing else left behind.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in first.iterdir()] == ["secret_key"]


def test_an_emptied_key_file_is_an_error_not_a_new_key(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ImproperlyConfigured) as error:
        development_secret_key(tmp_path)
    assert str(error.value) == SECRET_KEY_EMPTY.format(path=tmp_path / "secret_key")


def test_settings_in_development_use_the_installations_key(tmp_path):
    var = tmp_path / "var"
    first = load_settings("SECRET_KEY", env=clean_env(VAR_DIR=str(var)))["SECRET_KEY"]
    again = load_settings("SECRET_KEY", env=clean_env(VAR_DIR=str(var)))["SECRET_KEY"]
    other = load_settings("SECRET_KEY", env=clean_env(VAR_DIR=str(tmp_path / "other")))
    assert first == again == (var / "secret_key").read_text().strip()
    assert other["SECRET_KEY"] != first
    # A key from the environment wins and nothing is written.
    given = "k" * 50
    env = clean_env(VAR_DIR=str(tmp_path / "given"), SECRET_KEY=given)
    assert load_settings("SECRET_KEY", env=env)["SECRET_KEY"] == given
    assert not (tmp_path / "given" / "secret_key").exists()


def test_production_without_secret_key_fails_at_start_up_and_writes_no_key(tmp_path):
    var = tmp_path / "var"
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env=clean_env(VAR_DIR=str(var), DEBUG="false"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert SECRET_KEY_MISSING in result.stderr
    assert not (var / "secret_key").exists()


def test_processes_starting_together_agree_on_one_key(tmp_path):
    var = tmp_path / "var"
    code = "import portal.settings as s; print(s.SECRET_KEY)"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=clean_env(VAR_DIR=str(var)),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=60)[0].strip().splitlines()[-1] for process in starts}
    assert keys == {(var / "secret_key").read_text().strip()}
    # No temporary files left behind.
    assert [path.name for path in var.iterdir()] == ["secret_key"]
