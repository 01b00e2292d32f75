"""The one place that reads the process environment.

Every setting has an embedded default that runs on a single machine with nothing else
installed (SQLite, the ORM broker, local-memory cache, console email); setting the matching
variable switches to the real service. `.env.example` documents every variable.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# A local `.env` file is optional; real environment variables always win.
_dotenv = BASE_DIR / ".env"
if _dotenv.is_file():
    environ.Env.read_env(str(_dotenv), overwrite=False)
