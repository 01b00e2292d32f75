"""Secrets from files: NAME_FILE (Docker/Compose secrets) instead of NAME (portal/env.py)."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import SECRET_FILE_VARIABLES, read_secret_files
from portal.settings.services import url_with_password
from tests.deploy.conftest import manage, production_env


def test_a_file_gives_the_value_without_its_line_break(tmp_path):
    (tmp_path / "key").write_text("s3cret value\n")
    environment = {"SECRET_KEY_FILE": str(tmp_path / "key"), "SECRET_KEY": ""}
    read_secret_files(environment)
    assert environment["SECRET_KEY"] == "s3cret value"


def test_value_and_file_together_or_a_missing_file_stop_start_up(tmp_path):
    (tmp_path / "pw").write_text("pw")
    with pytest.raises(ImproperlyConfigured, match="REDIS_PASSWORD and REDIS_PASSWORD_FILE"):
        read_secret_files({"REDIS_PASSWORD": "x", "REDIS_PASSWORD_FILE": str(tmp_path / "pw")})
    with pytest.raises(ImproperlyConfigured, match="EMAIL_HOST_PASSWORD_FILE: cannot read"):
        read_secret_files({"EMAIL_HOST_PASSWORD_FILE": str(tmp_path / "missing")})


def test_the_password_goes_into_a_url_quoted():
    assert url_with_password("redis://redis:6379/0", "p@ss:/w") == (
        "redis://:p%40ss%3A%2Fw@redis:6379/0"
    )
    assert url_with_password("redis://me:old@redis:6379/2", "new") == "redis://me:new@redis:6379/2"


def test_settings_read_every_secret_from_its_file(tmp_path):
    """The secret names compose's `secrets:` example uses, read by a production start-up."""
    values = {
        "SECRET_KEY": "file-key-" + "k" * 50,
        "DATABASE_PASSWORD": "db pass/with@signs",
        "REDIS_PASSWORD": "redis:pass@",
        "EMAIL_HOST_PASSWORD": "mail-pass",
    }
    env = production_env(
        DATABASE_URL="postgres://portal@db.example:5432/portal",
        REDIS_URL="redis://redis.example:6379/0",
        EMAIL_URL="smtp+tls://portal@mail.example:587",
    )
    del env["SECRET_KEY"]
    for name, value in values.items():
        (tmp_path / name).write_text(value + "\n")
        env[f"{name}_FILE"] = str(tmp_path / name)
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SECRET_KEY, s.DATABASES['default']['PASSWORD'], s.CACHES['default']['LOCATION'], "
        "s.Q_CLUSTER['redis']['password'], s.EMAIL_HOST_PASSWORD]))"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    secret_key, db_password, cache, q_password, email = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert secret_key == values["SECRET_KEY"]
    assert db_password == values["DATABASE_PASSWORD"]
    assert cache == "redis://:redis%3Apass%40@redis.example:6379/0"
    assert q_password == values["REDIS_PASSWORD"]
    assert email == values["EMAIL_HOST_PASSWORD"]


def test_every_secret_file_variable_is_documented():
    from tests.deploy.test_compose import ROOT

    guide = (ROOT / "docs/operations.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in SECRET_FILE_VARIABLES:
        assert f"`{name}_FILE`" in guide
        assert f"{name}_FILE" in example
