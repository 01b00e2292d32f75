"""compose.yml, the Dockerfile and the entrypoint, checked without a Docker engine.

Schema: the compose specification's JSON schema (check-jsonschema). References: every
service, volume and network a service names exists (.ci/compose_refs.py). Topology: what the
deployment issue asks of each service. The stack test runs the same services as processes.
"""

import copy
import importlib.util
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import yaml

from portal.env import SECRET_FILE_VARIABLES
from tests.deploy.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "compose.yml").read_text())
SERVICES = COMPOSE["services"]

_spec = importlib.util.spec_from_file_location("compose_refs", ROOT / ".ci" / "compose_refs.py")
compose_refs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compose_refs)


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_matches_the_compose_specification():
    result = _check_jsonschema(ROOT / "compose.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_malformed_file(tmp_path):
    broken = copy.deepcopy(COMPOSE)
    broken["services"]["web"]["healthcheck"]["retries"] = "three"
    broken["services"]["worker"]["dependson"] = ["db"]
    path = tmp_path / "compose.yml"
    path.write_text(yaml.safe_dump(broken))
    result = _check_jsonschema(path)
    assert result.returncode == 1
    assert "dependson" in result.stdout


def test_everything_named_exists():
    assert compose_refs.problems(COMPOSE) == []
    result = subprocess.run(
        [sys.executable, ".ci/compose_refs.py", "compose.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_reference_check_finds_missing_services_volumes_and_networks():
    broken = copy.deepcopy(COMPOSE)
    web = broken["services"]["web"]
    web["depends_on"]["cache"] = {"condition": "service_started"}
    web["volumes"] = ["uploads:/uploads", "./local:/local", {"type": "volume", "source": "logs"}]
    web["networks"] = ["frontend", "public"]
    assert compose_refs.problems(broken) == [
        "service 'web' depends on unknown service 'cache'",
        "service 'web' uses undeclared network 'public'",
        "service 'web' uses undeclared volume 'uploads'",
        "service 'web' uses undeclared volume 'logs'",
    ]


def test_database_and_redis_services():
    db, redis = SERVICES["db"], SERVICES["redis"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "postgres_data:/var/lib/postgresql/data" in db["volumes"]
    assert redis["image"] == "redis:7-alpine"
    assert redis["command"][:3] == ["redis-server", "--appendonly", "yes"]
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "redis_data:/data" in redis["volumes"]
    # Only on the internal network, and not published (except the opt-in debug profile).
    for service in (db, redis):
        assert service["networks"] == ["backend"]
        assert "ports" not in service
    assert COMPOSE["networks"]["backend"]["internal"] is True
    for name in ("db-port", "redis-port"):
        assert SERVICES[name]["profiles"] == ["debug"]
        assert all(p.startswith("127.0.0.1:") for p in SERVICES[name]["ports"])


def test_web_worker_and_one_shot_migrate():
    web, worker, migrate = SERVICES["web"], SERVICES["worker"], SERVICES["migrate"]
    # Published on the host's loopback unless WEB_BIND says otherwise.
    assert web["ports"] == ["${WEB_BIND:-127.0.0.1}:${WEB_PORT:-80}:8000"]
    assert web["command"] == ["gunicorn", "--config", "portal/gunicorn.conf.py"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert worker["command"] == ["python", "manage.py", "qcluster"]
    # The heartbeat file, checked without starting Django (tests/jobs/test_worker_heartbeat.py).
    assert worker["healthcheck"]["test"] == [
        "CMD", "python", "-I", "-S", "/app/portal/core/heartbeat.py"
    ]  # fmt: skip
    assert worker["environment"]["WORKER_HEARTBEAT_FILE"].startswith("/tmp/")
    assert migrate["command"] == ["python", "manage.py", "deploy"]
    assert migrate["restart"] == "no"
    for service in (web, worker):
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        assert "shared:/shared" in service["volumes"]
        assert service["environment"]["SHARED_DIR"] == "/shared"
        # Attached files: one named volume shared by web and worker (thumbnails, deletions).
        assert "media:/media" in service["volumes"]
        assert service["environment"]["MEDIA_ROOT"] == "/media"
        assert service["environment"]["DEBUG"] == "false"
    assert set(web["networks"]) == {"frontend", "backend"}
    assert migrate["networks"] == ["backend"]
    # One image for web, worker and migrate, built once (by migrate only).
    assert web["image"] == worker["image"] == migrate["image"]
    assert [name for name, service in SERVICES.items() if "build" in service] == ["migrate"]


def test_limits_log_rotation_and_stop_grace():
    for name, service in SERVICES.items():
        assert service["logging"]["driver"] == "json-file", name
        assert set(service["logging"]["options"]) == {"max-size", "max-file"}, name
    for name in ("db", "redis", "web", "worker"):
        assert set(SERVICES[name]["deploy"]["resources"]["limits"]) == {"cpus", "memory"}, name
    # Longer than gunicorn's graceful timeout, so running requests finish on stop.
    gunicorn = runpy.run_path(str(ROOT / "portal/gunicorn.conf.py"))
    assert int(SERVICES["web"]["stop_grace_period"].rstrip("s")) > gunicorn["graceful_timeout"]


def test_only_the_frontend_network_is_trusted_as_proxy():
    subnet = COMPOSE["networks"]["frontend"]["ipam"]["config"][0]["subnet"]
    trusted = SERVICES["web"]["environment"]["TRUSTED_PROXIES"]
    assert subnet == "${FRONTEND_SUBNET:-172.30.80.0/24}"
    assert trusted == "${TRUSTED_PROXIES:-172.30.80.0/24}"


def test_secrets_example_matches_the_compose_file_and_the_settings():
    result = _check_jsonschema(ROOT / "compose.secrets.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    override = yaml.safe_load((ROOT / "compose.secrets.yml").read_text())
    declared = set(override["secrets"])
    file_variables = set()
    for name, service in override["services"].items():
        assert name in SERVICES
        assert set(service["secrets"]) <= declared
        for variable, path in service.get("environment", {}).items():
            assert variable.endswith("_FILE")
            assert path.removeprefix("/run/secrets/") in declared
            file_variables.add(variable.removesuffix("_FILE"))
    assert file_variables - {"POSTGRES_PASSWORD"} <= set(SECRET_FILE_VARIABLES)
    assert {"SECRET_KEY", "DATABASE_PASSWORD", "REDIS_PASSWORD"} <= file_variables


def _deployment_variables() -> set[str]:
    """compose's variables and those read by the settings, gunicorn and the entrypoint."""
    compose_text = (ROOT / "compose.yml").read_text()
    ours = "".join(path.read_text() for path in (ROOT / "portal/settings").glob("*.py"))
    gunicorn = (ROOT / "portal/gunicorn.conf.py").read_text()
    names = (
        set(SERVICES["web"]["environment"])
        | set(SERVICES["db"]["environment"])
        | set(re.findall(r"\$\{(\w+)", compose_text))
        | set(re.findall(r'env\.\w+\("(\w+)"', ours))
        | set(re.findall(r'(?:_int|_bool|environ\.get)\("(\w+)"', gunicorn))
        | set(re.findall(r"\$\{(\w+)", (ROOT / "portal/core/entrypoint.sh").read_text()))
    )
    assert {"POSTGRES_PASSWORD", "SECURE_HSTS_SECONDS", "GUNICORN_BIND", "LOG_FILE"} <= names
    return names


def test_every_deployment_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    assert sorted(n for n in _deployment_variables() if f"{n}=" not in example) == []


def test_every_deployment_variable_is_in_the_operations_guide():
    guide = (ROOT / "docs/operations.md").read_text()
    assert sorted(n for n in _deployment_variables() if f"`{n}`" not in guide) == []


def test_dockerfile_is_multi_stage_non_root_with_healthcheck():
    text = (ROOT / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert stages == ["FROM ${PYTHON_IMAGE} AS builder", "FROM ${PYTHON_IMAGE} AS runtime"]
    assert "ARG PYTHON_VERSION=3.12\nARG PYTHON_IMAGE=python:${PYTHON_VERSION}-slim" in text
    # Hashes checked on download; runtime installs exactly those wheels.
    assert "pip wheel --require-hashes --wheel-dir /wheels -r requirements/base.lock" in text
    assert "pip install --no-index --no-deps /wheels/*.whl" in text
    assert "\nUSER portal\n" in text
    assert "HEALTHCHECK " in text and "/healthz" in text
    assert "collectstatic --noinput" in text
    assert 'ENTRYPOINT ["/app/portal/core/entrypoint.sh"]' in text
    # No frontend image fetched at build time (offline builds).
    assert not text.startswith("# syntax=")
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def _entrypoint(*command: str, **env: str) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environ["PATH"] = f"{VENV_BIN}{os.pathsep}{environ['PATH']}"
    environ.update(env)
    return subprocess.Popen(
        ["sh", "portal/core/entrypoint.sh", *command],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_entrypoint_execs_the_command():
    process = _entrypoint(
        "python", "-c", "import os; print(os.getpid())", WAIT_FOR_SERVICES="false"
    )
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    # Same pid: the shell replaced itself with the command (signals reach the command).
    assert int(out.strip()) == process.pid


def test_entrypoint_waits_for_the_database_and_gives_up(tmp_path):
    process = _entrypoint(
        "python",
        "-c",
        "print('command ran')",
        DATABASE_URL=f"postgres://portal@127.0.0.1:{free_port()}/portal",
        WAIT_FOR_SERVICES_TIMEOUT="1",
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "command ran" not in out
    assert "database not reachable" in out

    process = _entrypoint(
        "python", "-c", "print('command ran')", DATABASE_URL=f"sqlite:///{tmp_path / 'db'}"
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out.strip().splitlines()[-1] == "command ran"
