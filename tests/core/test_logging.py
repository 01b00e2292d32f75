"""JSON logs with request id, user id and job id; the rotating file; gunicorn's JSON lines."""

import io
import json
import logging
import logging.config
from types import SimpleNamespace

import pytest

from portal.core.logging import (
    REQUEST_ID_HEADER,
    ContextFilter,
    JsonFormatter,
    build_logging,
    gunicorn_logger_class,
    job_context,
    request_id_var,
)


@pytest.fixture
def json_lines():
    """Capture JSON lines from every logger, formatted as production formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _request_lines(lines):
    return [line for line in lines if line["logger"] == "portal.request"]


@pytest.mark.django_db
def test_each_request_is_logged_with_id_user_method_path_status_duration(
    client, member, json_lines
):
    client.force_login(member)
    response = client.get("/admin/", HTTP_X_REQUEST_ID="edge-1234")
    assert response[REQUEST_ID_HEADER] == "edge-1234"
    (line,) = _request_lines(json_lines())
    assert line["request_id"] == "edge-1234"
    assert line["user_id"] == member.pk
    assert line["method"] == "GET"
    assert line["path"] == "/admin/"
    assert line["status"] == response.status_code
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert line["message"] == f"GET /admin/ {response.status_code}"
    assert "time" in line
    # The context is cleared after the request.
    assert request_id_var.get() is None


@pytest.mark.django_db
def test_bad_or_missing_request_ids_are_replaced(client, json_lines):
    forged = client.get("/accounts/login/", HTTP_X_REQUEST_ID="x\n{fake}")
    fresh = client.get("/accounts/login/")
    ids = [forged[REQUEST_ID_HEADER], fresh[REQUEST_ID_HEADER]]
    assert all(len(i) == 32 and i.isalnum() for i in ids)
    assert ids[0] != ids[1]
    lines = _request_lines(json_lines())
    assert [line["request_id"] for line in lines] == ids
    assert [line["user_id"] for line in lines] == [None, None]


def test_job_logs_carry_the_job_id(json_lines):
    log = logging.getLogger("portal.jobs.example")
    with job_context(42):
        log.info("summary written", extra={"teams": 3})
    log.info("outside")
    inside, outside = json_lines()
    assert inside["job_id"] == "42"
    assert inside["teams"] == 3
    assert outside["job_id"] is None


def test_rotating_file_when_log_file_is_set(tmp_path):
    log_file = tmp_path / "portal.log"
    config = build_logging(
        level="INFO", fmt="plain", log_file=str(log_file), max_bytes=400, backups=2
    )
    assert set(config["root"]["handlers"]) == {"console", "file"}
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logging.config.dictConfig(config)
        log = logging.getLogger("portal.test")
        for n in range(20):
            log.info("line %d with some padding to fill the file", n)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], root.level = saved
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["portal.log", "portal.log.1", "portal.log.2"]
    last = json.loads(log_file.read_text().splitlines()[-1])
    assert last["message"] == "line 19 with some padding to fill the file"
    assert last["logger"] == "portal.test"


def test_no_file_handler_without_log_file():
    config = build_logging(level="INFO", fmt="json")
    assert config["root"]["handlers"] == ["console"]
    assert config["handlers"]["console"]["formatter"] == "json"


def test_gunicorn_access_and_error_logs_are_json():
    cfg = SimpleNamespace(
        loglevel="info",
        errorlog="-",
        accesslog="-",
        capture_output=False,
        syslog=False,
        logconfig=None,
        logconfig_dict={},
        logconfig_json=None,
        access_log_format="",
        disable_redirect_access_to_syslog=False,
        user=0,
        group=0,
    )
    logger = gunicorn_logger_class()(cfg)
    stream = io.StringIO()
    for log in (logger.error_log, logger.access_log):
        for handler in log.handlers:
            handler.setStream(stream)
    response = SimpleNamespace(status="201 Created", headers=[("X-Request-ID", "abc123")])
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/tasks/",
        "REMOTE_ADDR": "10.0.0.9",
        "HTTP_USER_AGENT": "curl/8",
    }
    logger.access(response, None, environ, SimpleNamespace(total_seconds=lambda: 0.0123))
    logger.error("worker %s booted", 7)
    access, error = (json.loads(line) for line in stream.getvalue().splitlines())
    assert access["message"] == "access"
    assert access["logger"] == "gunicorn.access"
    assert (access["method"], access["path"], access["status"]) == ("POST", "/api/tasks/", 201)
    assert access["duration_ms"] == 12.3
    assert access["request_id"] == "abc123"
    assert error["message"] == "worker 7 booted"
    assert error["level"] == "ERROR"


@pytest.mark.django_db
def test_lines_logged_inside_a_view_carry_the_user_once_known(rf, member, json_lines):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.utils.functional import SimpleLazyObject

    from portal.core.logging import RequestLogMiddleware

    log = logging.getLogger("portal.view")

    def view(request):
        log.info("before authentication")
        request.user = member  # what DRF does once a token is accepted
        log.info("after authentication")
        return HttpResponse("ok")

    RequestLogMiddleware(view)(rf.get("/api/tasks/"))

    def lazy_view(request):
        # An unevaluated lazy user is not looked up just to write a log line.
        request.user = SimpleLazyObject(lambda: pytest.fail("logging evaluated the user"))
        log.info("lazy")
        request.user = AnonymousUser()
        return HttpResponse("ok")

    RequestLogMiddleware(lazy_view)(rf.get("/"))
    lines = json_lines()
    assert [(line["message"], line["user_id"]) for line in lines] == [
        ("before authentication", None),
        ("after authentication", member.pk),
        ("GET /api/tasks/ 200", member.pk),
        ("lazy", None),
        ("GET / 200", None),
    ]
    assert len({line["request_id"] for line in lines[:3]}) == 1


# --- one line per request, quiet static files, no start-up banners ------------------------------
STATIC_FILE = "/static/portal/favicon.svg"


@pytest.fixture
def static_served(settings):
    """Static files served from the source folders, as `make run` serves them."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.mark.django_db
def test_static_files_are_not_logged_unless_asked(client, static_served, settings, json_lines):
    assert client.get(STATIC_FILE).status_code == 200
    assert client.get("/static/portal/missing.css").status_code == 404
    settings.LOG_STATIC_REQUESTS = True
    assert client.get(STATIC_FILE).status_code == 200
    assert [line["message"] for line in _request_lines(json_lines())] == [
        # A missing file is worth a line even when static files are quiet.
        "GET /static/portal/missing.css 404",
        f"GET {STATIC_FILE} 200",
    ]


def test_the_development_servers_own_request_lines_and_axes_banner_are_off(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logging.config.dictConfig(build_logging(level="INFO", fmt="plain"))
        logging.getLogger("django.server").info('"GET /admin/ HTTP/1.1" 200 1234')
        logging.getLogger("axes.apps").info("AXES: BEGIN version 8, blocking by ...")
        logging.getLogger("axes.handlers.database").info("AXES: Cleaned up 0 expired attempts")
        logging.getLogger("axes.handlers.database").warning("AXES: New login failure")
    finally:
        root.handlers[:], root.level = saved
    out = capsys.readouterr()
    lines = (out.out + out.err).splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == ["AXES: New login failure"]


def test_runserver_logs_each_request_once_and_no_banner(tmp_path):
    """What `make run` prints: one line per request, none for static files, no axes banner."""
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    from tests.deploy.servers import free_port, wait_until
    from tests.settings.conftest import ROOT, clean_env

    port = free_port()
    log = tmp_path / "server.log"
    (tmp_path / "var").mkdir()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=clean_env(VAR_DIR=str(tmp_path / "var"), SECRET_KEY="x" * 50),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def get(path):
        try:
            return urllib.request.urlopen(base + path, timeout=5).status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def up():
        if server.poll() is not None:
            pytest.fail(f"runserver exited:\n{log.read_text()}")
        return get("/healthz") == 200

    try:
        wait_until(up, timeout=60, what="runserver")
        assert get(STATIC_FILE) == 200
        assert get("/api/") == 401
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "AXES: BEGIN" not in text
    assert [line for line in text.splitlines() if "/api/" in line] == [
        line for line in text.splitlines() if "portal.request" in line
    ]
    assert len([line for line in text.splitlines() if "/api/" in line]) == 1, text
    assert STATIC_FILE not in text
