"""`make venv`'s installer (requirements/install.py): uv with pip's index settings, pip as the
fallback, the same pins either way."""

import importlib.util
import os
import subprocess
import sys

import pytest

from tests.deploy.conftest import ROOT

_spec = importlib.util.spec_from_file_location("install", ROOT / "requirements/install.py")
install = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(install)


def test_pip_settings_become_uv_arguments():
    settings = {
        "index-url": "https://mirror.example/simple",
        "extra-index-url": "file:///srv/a/simple file:///srv/b/simple",
        "find-links": "/srv/wheels",
        "constraint": "/etc/pip/constraints.txt",
        "cert": "/etc/ssl/ca.pem",
        "default-timeout": "180",
    }
    assert install.uv_arguments(settings) == [
        "--index-url", "https://mirror.example/simple",
        "--constraint", "/etc/pip/constraints.txt",
        "--extra-index-url", "file:///srv/a/simple",
        "--extra-index-url", "file:///srv/b/simple",
        "--find-links", "/srv/wheels",
        "--index-strategy", "unsafe-best-match",
    ]  # fmt: skip
    assert install.uv_arguments({}) == []
    assert install.uv_environment(settings)["SSL_CERT_FILE"] == os.environ.get(
        "SSL_CERT_FILE", "/etc/ssl/ca.pem"
    )


def test_byte_code_is_compiled_at_install_only_where_it_cannot_be_written_later():
    assert install.compile_arguments({"PYTHONDONTWRITEBYTECODE": "1"}) == ["--compile-bytecode"]
    assert install.compile_arguments({"PYTHONDONTWRITEBYTECODE": ""}) == []
    assert install.compile_arguments({}) == []


def test_pip_settings_are_read_from_pip_itself(tmp_path, monkeypatch):
    config = tmp_path / "pip.conf"
    config.write_text("[install]\nextra-index-url = file:///srv/install/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.setenv("PIP_FIND_LINKS", "/srv/from-env")
    settings = install.pip_settings()
    assert settings["extra-index-url"] == "file:///srv/install/simple"
    # The environment wins over any file, as in pip.
    assert settings["find-links"] == "/srv/from-env"


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_installs_the_pins_into_a_fresh_virtualenv(tmp_path, installer):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six==1.17.0\n")
    result = subprocess.run(
        [str(venv / "bin/python"), str(ROOT / "requirements/install.py"), str(requirements)],
        env={**os.environ, "INSTALL_WITH": installer, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"==> Installing {requirements} with {installer}" in result.stdout
    installed = subprocess.run(
        [str(venv / "bin/python"), "-c", "import six; print(six.__version__)"],
        capture_output=True,
        text=True,
    )
    assert installed.stdout.strip() == "1.17.0"
    # Byte-compiled at install time by either installer where it cannot be written at run time
    # (pip always, uv with PYTHONDONTWRITEBYTECODE, set here).
    assert list((venv / "lib").glob("python3*/site-packages/__pycache__/six.cpython-*.pyc"))


def test_make_venv_runs_the_installer():
    dry_run = subprocess.run(
        ["make", "-n", "-B", "venv"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert ".venv/bin/python requirements/install.py requirements/dev.txt" in dry_run.stdout
    assert "pip install --quiet" not in dry_run.stdout
