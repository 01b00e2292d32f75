from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import cache_control

API_PREFIX = "/api/"
BAD_REQUEST = "The request could not be understood."
BODY_TOO_LARGE = "The request body is too large (at most {limit} bytes)."
FORBIDDEN = "You do not have permission to perform this action."
NOT_FOUND = "Not found."
SERVER_ERROR = "Something went wrong on our side; the error has been logged."


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon; send them the portal's."""
    return HttpResponsePermanentRedirect(static("portal/favicon.svg"))


# --- error pages: JSON under /api/, Django's pages elsewhere ---------------------------------
def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status: int, detail: str) -> JsonResponse:
    """`{"detail": ...}`, written as compactly as DRF writes its own errors."""
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"separators": (",", ":")}
    )


def body_too_large() -> JsonResponse:
    return json_error(413, BODY_TOO_LARGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if not is_api(request):
        return defaults.bad_request(request, exception, template_name)
    if isinstance(exception, RequestDataTooBig):
        return body_too_large()
    return json_error(400, BAD_REQUEST)


def permission_denied(request, exception, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    if not is_api(request):
        return defaults.permission_denied(request, exception, template_name)
    return json_error(403, FORBIDDEN)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if not is_api(request):
        return defaults.page_not_found(request, exception, template_name)
    return json_error(404, NOT_FOUND)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if not is_api(request):
        return defaults.server_error(request, template_name)
    return json_error(500, SERVER_ERROR)
