"""Test settings: only what tests must change. DATABASE_URL / REDIS_URL still apply."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import INSTALLED_APPS, STORAGES

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
