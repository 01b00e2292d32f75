"""The embedded defaults: with no variables set the portal runs on one machine, under VAR_DIR."""

from tests.settings.conftest import ROOT, clean_env, load_settings


def test_embedded_defaults_need_nothing_but_python(tmp_path):
    var = tmp_path / "var"
    values = load_settings(
        "DATABASES",
        "CACHES",
        "Q_CLUSTER",
        "EMAIL_BACKEND",
        "DEBUG",
        "STATIC_ROOT",
        "MEDIA_ROOT",
        "SHARED_DIR",
        env=clean_env(VAR_DIR=str(var)),
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(var / "portal.sqlite3")
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert values["Q_CLUSTER"]["orm"] == "default"
    assert "redis" not in values["Q_CLUSTER"]
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["DEBUG"] is True
    # Everything the portal writes goes under VAR_DIR unless told otherwise.
    assert values["STATIC_ROOT"] == str(var / "staticfiles")
    assert values["MEDIA_ROOT"] == str(var / "media")
    assert values["SHARED_DIR"] == str(var / "shared")


def test_var_dir_defaults_to_var_beside_manage_py():
    values = load_settings("VAR_DIR", "STATIC_ROOT", env=clean_env())
    assert values["VAR_DIR"] == str(ROOT / "var")
    assert values["STATIC_ROOT"] == str(ROOT / "var" / "staticfiles")


def test_static_root_can_still_be_set_on_its_own(tmp_path):
    values = load_settings(
        "STATIC_ROOT", env=clean_env(VAR_DIR=str(tmp_path), STATIC_ROOT="/app/staticfiles")
    )
    assert values["STATIC_ROOT"] == "/app/staticfiles"


def test_development_tools_are_installed_only_in_development(tmp_path):
    """The benchmark and the demo builder are not part of a production install."""
    var = str(tmp_path)
    development = load_settings("INSTALLED_APPS", env=clean_env(VAR_DIR=var))
    production = load_settings(
        "INSTALLED_APPS",
        env=clean_env(VAR_DIR=var, DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.com"),
    )
    asked = load_settings(
        "INSTALLED_APPS",
        env=clean_env(
            VAR_DIR=var,
            DEBUG="false",
            DEVTOOLS="true",
            SECRET_KEY="x" * 60,
            ALLOWED_HOSTS="example.com",
        ),
    )
    assert "portal.devtools" in development["INSTALLED_APPS"]
    assert "portal.devtools" not in production["INSTALLED_APPS"]
    assert "portal.devtools" in asked["INSTALLED_APPS"]
