"""The one place that reads the process environment.

Every setting has an embedded default that runs on a single machine with nothing else
installed (SQLite, the ORM broker, local-memory cache, console email); setting the matching
variable switches to the real service. `.env.example` documents every variable.

Secrets may come from files instead (Docker/Compose secrets, Kubernetes): `SECRET_KEY_FILE`,
`DATABASE_PASSWORD_FILE`, ... name a file whose content is the value (`read_secret_files`).
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# The variables that may be given as NAME_FILE (a path) instead of NAME (the value).
SECRET_FILE_VARIABLES = (
    "SECRET_KEY",
    "DATABASE_PASSWORD",
    "REDIS_PASSWORD",
    "EMAIL_HOST_PASSWORD",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
)
BOTH_GIVEN = "{name} and {name}_FILE are both set: set one of them."
UNREADABLE = "{name}_FILE: cannot read {path} ({error})."


def read_secret_files(environment=os.environ) -> None:
    """For each NAME_FILE that is set, NAME becomes the file's content (without its final line
    break). NAME itself set (not empty) as well is an error: which one wins would be a guess."""
    for name in SECRET_FILE_VARIABLES:
        path = environment.get(f"{name}_FILE", "")
        if not path:
            continue
        if environment.get(name, ""):
            raise ImproperlyConfigured(BOTH_GIVEN.format(name=name))
        try:
            value = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise ImproperlyConfigured(
                UNREADABLE.format(name=name, path=path, error=error.strerror or error)
            ) from error
        environment[name] = value.rstrip("\r\n")


env = environ.Env()

# A local `.env` file is optional; real environment variables always win.
_dotenv = BASE_DIR / ".env"
if _dotenv.is_file():
    environ.Env.read_env(str(_dotenv), overwrite=False)
read_secret_files()
