"""Production settings: check --deploy is clean, a missing SECRET_KEY stops start-up,
static files collect into hashed, compressed files."""

import json

from portal.settings.secret_key import SECRET_KEY_MISSING
from tests.deploy.conftest import manage, production_env


def test_check_deploy_is_clean_with_production_variables(image_root):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(), cwd=image_root
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_turned_off_protections():
    # The test above means something: switching protections off makes the check complain.
    env = production_env(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0", SECURE_COOKIES="0")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 1
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr


def test_debug_off_without_secret_key_fails_at_start_up():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode == 1
    assert SECRET_KEY_MISSING in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_security_settings():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'proxy': s.SECURE_PROXY_SSL_HEADER, 'session': [s.SESSION_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY], 'csrf': s.CSRF_COOKIE_SECURE, "
        "'jwt_cookies': [s.REST_AUTH.get('JWT_AUTH_COOKIE'), "
        "s.REST_AUTH.get('JWT_AUTH_REFRESH_COOKIE')], 'frame': s.X_FRAME_OPTIONS, "
        "'referrer': s.SECURE_REFERRER_POLICY, 'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES'], "
        "'storage': s.STORAGES['staticfiles']['BACKEND'], 'log': s.LOG_FORMAT}, default=str))"
    )
    result = manage("shell", "-c", code, env=production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["session"] == [True, True]
    assert values["csrf"] is True
    # API tokens never travel in cookies (see docs/decisions.md).
    assert values["jwt_cookies"] == [None, None]
    assert values["frame"] == "DENY"
    assert values["referrer"] == "same-origin"
    assert values["csp"]["default-src"] == ["'self'"]
    assert values["csp"]["frame-ancestors"] == ["'none'"]
    assert values["csp"]["script-src"] == ["'self'", "'unsafe-eval'", "csp.constants.NONCE"]
    assert values["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["log"] == "json"


def test_collectstatic_writes_hashed_compressed_files(collected_static):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())["paths"]
    hashed = manifest["unfold/css/styles.css"]
    assert hashed != "unfold/css/styles.css"
    assert (collected_static / hashed).is_file()
    assert (collected_static / f"{hashed}.gz").is_file()
    # The API docs' assets are served from here too (no CDN).
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in manifest
    assert "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in manifest
