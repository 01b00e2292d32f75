"""The secret key: from SECRET_KEY, or in development a random one kept in VAR_DIR.

Not a settings module of its own: `core` calls `secret_key()`. Development without
SECRET_KEY signs sessions and tokens with a key made once per installation (written to
VAR_DIR/secret_key, readable by its owner only, never part of the repository), so nothing
is signed with a key anyone can read in the source, and sessions survive restarts. With
DEBUG off a missing SECRET_KEY stops start-up.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_MISSING = (
    "SECRET_KEY must be set when DEBUG is off (generate one with "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
)
SECRET_KEY_EMPTY = (
    "{path} is empty. Delete it to have a new development key made "
    "(people signed in will have to sign in again)."
)
FILE_NAME = "secret_key"


def secret_key(*, given: str, debug: bool, var_dir: Path) -> str:
    if given:
        return given
    if not debug:
        raise ImproperlyConfigured(SECRET_KEY_MISSING)
    return development_secret_key(var_dir)


def development_secret_key(var_dir: Path) -> str:
    """This installation's development key, made on first use.

    The key is written to a private temporary file and hard-linked into place, which fails
    if the file exists: two processes starting together (web and worker) end up with the
    same, complete key.
    """
    path = Path(var_dir) / FILE_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(SECRET_KEY_EMPTY.format(path=path))
    return key
