"""The JSON API: Django REST framework, JWTs (simplejwt), dj-rest-auth and the OpenAPI schema."""

from datetime import timedelta

from portal.env import env
from portal.settings.core import SITE_NAME

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # JWT first: a call without credentials gets 401, not 403.
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON; the browsable HTML pages only while DEBUG is on (portal/api/negotiation.py).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "portal.api.negotiation.ContentNegotiation",
    # Bodies are JSON (with a nesting limit, portal/api/parsers.py); a form body is a 415.
    # Only the spreadsheet import takes a multipart upload (its view says so).
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttles.AnonThrottle",
        "portal.api.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="100/min"),
        "user": env.str("API_THROTTLE_USER", default="1000/min"),
        # Per client address, on the doors that take a password or send an email.
        "login": env.str("API_THROTTLE_LOGIN", default="20/min"),
        "registration": env.str("API_THROTTLE_REGISTRATION", default="10/hour"),
        "password_reset": env.str("API_THROTTLE_PASSWORD_RESET", default="10/hour"),
    },
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}
REST_AUTH = {
    "USE_JWT": True,
    # JWTs only: no DRF auth tokens (rest_framework.authtoken is not installed).
    "TOKEN_MODEL": None,
    # Tokens travel in JSON bodies only: no JWT cookies (JWT_AUTH_COOKIE and
    # JWT_AUTH_REFRESH_COOKIE unset), and the refresh token is returned in the body
    # (JWT_AUTH_HTTPONLY off means exactly that when there is no cookie). Browsers use the
    # session-based pages; see docs/decisions.md.
    "JWT_AUTH_HTTPONLY": False,
    # API clients carry the bearer token only; no session is opened by the API login.
    "SESSION_LOGIN": False,
    "OLD_PASSWORD_FIELD_ENABLED": True,
    "LOGOUT_ON_PASSWORD_CHANGE": False,
    "USER_DETAILS_SERIALIZER": "portal.api.serializers.ProfileSerializer",
    "REGISTER_SERIALIZER": "portal.api.serializers.RegisterSerializer",
    "PASSWORD_RESET_SERIALIZER": "portal.api.serializers.PasswordResetSerializer",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The portal's JSON API for programs: sign in at `/api/auth/login/` for a JWT pair. "
        "People use the [team pages](/teams/) and the [admin](/admin/)."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "portal.tasks.models.Status",
        "TaskPriorityEnum": "portal.tasks.models.Priority",
        "RoleEnum": "portal.teams.models.Role",
        "PageKindEnum": "portal.savedviews.models.PageKind",
    },
}
