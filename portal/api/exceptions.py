"""Errors from the domain, in the API's shape.

Services raise Django's `ValidationError` and `PermissionDenied`. DRF turns `PermissionDenied`
into 403 itself but lets Django's `ValidationError` through as a 500, so it is converted here
into a 400 with the same per-field layout DRF uses (`{"field": ["message", ...]}`).
Django's refusals of the request itself (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many
form fields) would otherwise become HTML error pages; they are answered in JSON too.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.views import BODY_TOO_LARGE


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"


def validation_detail(exc: DjangoValidationError, aliases: dict[str, str] | None = None) -> dict:
    """{field: [messages]} with model field names renamed to the API's (assignees -> assignee_ids)."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}
    detail: dict[str, list[str]] = {}
    for name, messages in exc.message_dict.items():
        key = aliases.get(name, name)
        if key == NON_FIELD_ERRORS:
            key = api_settings.NON_FIELD_ERRORS_KEY
        bucket = detail.setdefault(key, [])
        # A field validator and clean() may both report the same problem: say it once.
        bucket.extend(m for m in messages if m not in bucket)
    return detail


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        aliases = getattr(context.get("view"), "error_field_aliases", None)
        exc = exceptions.ValidationError(validation_detail(exc, aliases))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(BODY_TOO_LARGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc))
    return drf_exception_handler(exc, context)
