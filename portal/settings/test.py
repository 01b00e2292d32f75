"""Test settings: only what tests must change. DATABASE_URL / REDIS_URL still apply."""

import os
import re

# Tests run in parallel processes (pytest-xdist): each gets its own test database from
# pytest-django (test_<name>_gw<N>) and here its own Redis database (REDIS_URL's number + N),
# so that caches, throttles and the job queue of one process never meet another's. Set in the
# environment too, so the servers and clusters a test starts inherit the same database (once:
# they inherit the marker as well).
_worker = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
if _worker and os.environ.get("REDIS_URL") and not os.environ.get("PORTAL_TEST_REDIS_SPLIT"):
    os.environ["PORTAL_TEST_REDIS_SPLIT"] = _worker.group(1)
    _base = re.fullmatch(r"(redis://[^/]*)(?:/(\d*))?", os.environ["REDIS_URL"])
    if _base:
        _db = int(_base.group(2) or 0) + int(_worker.group(1))
        os.environ["REDIS_URL"] = f"{_base.group(1)}/{_db}"

from portal.settings.base import *  # noqa: E402, F403
from portal.settings.base import INSTALLED_APPS, STORAGES  # noqa: E402

# Fast hashing for users made in tests; PBKDF2 still checks the demo fixtures' hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The manifest storage needs collectstatic; tests use plain storage.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The development tools' own tests run whatever DEBUG says.
if "portal.devtools" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS[:-1], "portal.devtools", INSTALLED_APPS[-1]]
