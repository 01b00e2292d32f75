"""Attachments: where files are stored, and the limits of an upload (docs/attachments.md).

By default files go to the local file system under MEDIA_ROOT (VAR_DIR/media); setting
ATTACHMENTS_S3_BUCKET (with its endpoint, keys and region) or STORAGE_URL
(`s3://KEY:SECRET@host:port/bucket?region=...`) switches to S3-compatible object storage
through django-storages and boto3. Files are never served from a public URL: every download
goes through a view that checks the person may see the task.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from portal.env import env
from portal.settings.core import MEDIA_ROOT, STORAGES


def _s3_from_url(url: str) -> dict:
    """STORAGE_URL=s3://KEY:SECRET@host:port/bucket?region=eu-west-1&secure=false"""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    scheme = "http" if query.get("secure", "true").lower() in {"0", "false", "no"} else "https"
    return {
        "bucket": parts.path.strip("/"),
        "endpoint": f"{scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        if parts.hostname
        else "",
        "key": unquote(parts.username or ""),
        "secret": unquote(parts.password or ""),
        "region": query.get("region", ""),
    }


STORAGE_URL = env.str("STORAGE_URL", default="")
_s3 = _s3_from_url(STORAGE_URL) if STORAGE_URL.startswith("s3://") else {}
ATTACHMENTS_S3_BUCKET = env.str("ATTACHMENTS_S3_BUCKET", default=_s3.get("bucket", ""))
ATTACHMENTS_S3_ENDPOINT_URL = env.str(
    "ATTACHMENTS_S3_ENDPOINT_URL", default=_s3.get("endpoint", "")
)
ATTACHMENTS_S3_ACCESS_KEY = env.str("ATTACHMENTS_S3_ACCESS_KEY", default=_s3.get("key", ""))
ATTACHMENTS_S3_SECRET_KEY = env.str("ATTACHMENTS_S3_SECRET_KEY", default=_s3.get("secret", ""))
ATTACHMENTS_S3_REGION = env.str("ATTACHMENTS_S3_REGION", default=_s3.get("region", ""))
# Downloads from S3: 0 streams the file through the portal (the default); a number of seconds
# answers with a redirect to a presigned URL that lives that long (the check comes first).
ATTACHMENTS_PRESIGNED_SECONDS = env.int("ATTACHMENTS_PRESIGNED_SECONDS", default=0)

if ATTACHMENTS_S3_BUCKET:
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            "endpoint_url": ATTACHMENTS_S3_ENDPOINT_URL or None,
            "access_key": ATTACHMENTS_S3_ACCESS_KEY or None,
            "secret_key": ATTACHMENTS_S3_SECRET_KEY or None,
            "region_name": ATTACHMENTS_S3_REGION or None,
            # Objects are private; only presigned URLs (when asked for) reach them.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": max(ATTACHMENTS_PRESIGNED_SECONDS, 1),
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    }
else:
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No base_url that anything serves: MEDIA_ROOT is never published.
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }

# --- Limits -------------------------------------------------------------------------------
ATTACHMENTS_MAX_FILE_MB = env.float("ATTACHMENTS_MAX_FILE_MB", default=25)
ATTACHMENTS_MAX_TASK_MB = env.float("ATTACHMENTS_MAX_TASK_MB", default=250)
# Types refused unless the operator lists them in ATTACHMENTS_ALLOW_TYPES: programs (Windows,
# Linux and macOS executables, scripts with #!), web pages and SVG (they can run script).
ATTACHMENTS_ALLOW_TYPES = env.list("ATTACHMENTS_ALLOW_TYPES", default=[])
# Images larger than this many pixels are refused (a small PNG can unpack to gigabytes).
ATTACHMENTS_MAX_IMAGE_PIXELS = env.int("ATTACHMENTS_MAX_IMAGE_PIXELS", default=40_000_000)
ATTACHMENTS_THUMBNAIL_SIZE = env.int("ATTACHMENTS_THUMBNAIL_SIZE", default=320)
# A dotted path to a callable `scan(file) -> bool | str` (True or "" = clean; False or a reason
# = rejected), run by a job on every upload before it can be downloaded. Empty: no scanning.
ATTACHMENTS_SCANNER = env.str("ATTACHMENTS_SCANNER", default="")
# Files in storage that no attachment names are deleted by the weekly clean-up once older than
# this (an upload in progress has written its file but not yet its row).
ATTACHMENTS_ORPHAN_HOURS = env.int("ATTACHMENTS_ORPHAN_HOURS", default=24)
