"""The portal's settings: environment-driven, with embedded defaults for a single machine.

Nothing here exists only in production: production differs by environment variables
(see .env.example and docs/operations.md). Each integration is configured in its own module,
which imports what it needs from the others (so the order below does not matter):

- core: paths, DEBUG and the secret key, hosts, apps, middleware, templates, files
- services: database, cache and Redis, email, health-check timeout
- accounts: user model, password rules, allauth, the sign-in lockout (django-axes)
- api: REST framework, JWTs, dj-rest-auth, the OpenAPI schema
- jobs: the django-q2 cluster and the job records
- unfold: the admin's look
- security: HTTPS, cookies, headers, Content-Security-Policy
- logs: log format, level and file
- attachments: where attached files are stored, and the upload limits

(`secret_key.py` holds no settings: `core` calls it for the key, kept in VAR_DIR in development.)

`portal.settings.test` changes only what tests need.
"""

from portal.settings.accounts import *  # noqa: F403
from portal.settings.api import *  # noqa: F403
from portal.settings.attachments import *  # noqa: F403
from portal.settings.core import *  # noqa: F403
from portal.settings.jobs import *  # noqa: F403
from portal.settings.logs import *  # noqa: F403
from portal.settings.security import *  # noqa: F403
from portal.settings.services import *  # noqa: F403
from portal.settings.unfold import *  # noqa: F403
