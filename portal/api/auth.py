"""Sign-in endpoints under /api/auth/: dj-rest-auth's views with the portal's rules added.

- login: refused with 429 and Retry-After while a lockout rule applies (accounts/lockout.py);
- password change and reset: every outstanding refresh token of the person is revoked;
- logout: revokes the refresh token in the body, and writes nothing without a valid one;
- token verify: a revoked token is a 401, like every other token error;
- registration: only while sign-up is open (ACCOUNT_ALLOW_SIGNUP);
- login, registration and password reset are throttled per client address.
"""

from allauth.account.adapter import get_adapter
from dj_rest_auth import views as rest_auth
from dj_rest_auth.registration.views import RegisterView as BaseRegisterView
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken

from portal.accounts.lockout import Lockout, failures_clear, lockout_for
from portal.accounts.services import profile_update, refresh_tokens_revoke
from portal.api.throttles import LoginThrottle, PasswordResetThrottle, RegistrationThrottle

SIGNUP_CLOSED = "Sign-up is closed on this portal; ask an administrator for an account."
LOGGED_OUT = "Successfully logged out."
LOGOUT_BODY = 'Send the refresh token as {"refresh": "..."}.'
TOKEN_REVOKED = "Token is blacklisted"
PASSWORD_CHANGED = (
    "New password has been saved. Every signed-in device must sign in again "
    "(refresh tokens have been revoked)."
)

Detail = inline_serializer("Detail", {"detail": serializers.CharField()})
# The sign-in doors need no token: the OpenAPI document says so (no padlock in Swagger UI).
NO_TOKEN = extend_schema(auth=[])


class LockedOut(APIException):
    """429 with the lockout's reason; `wait` becomes the Retry-After header."""

    status_code = 429
    default_code = "locked_out"

    def __init__(self, lockout: Lockout):
        super().__init__(lockout.message)
        self.wait = lockout.wait


@NO_TOKEN
class LoginView(rest_auth.LoginView):
    """Username or email with the password -> access and refresh tokens and the user."""

    throttle_classes = [LoginThrottle]

    def login(self):
        super().login()
        # The API login opens no session, so the failures a success clears on the other doors
        # (through Django's user_logged_in) are cleared here.
        failures_clear(self.request, self.user)

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes flags the request when a lockout rule refused it.
            if getattr(request, "axes_locked_out", False):
                credentials = getattr(request, "axes_credentials", None)
                raise LockedOut(lockout_for(request, credentials)) from None
            raise


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(help_text="The refresh token to revoke.")


@NO_TOKEN
class LogoutView(GenericAPIView):
    """Blacklists the refresh token sent in the body; a later refresh with it gets 401.

    Not dj-rest-auth's view: without a token in the body it blacklisted a token it had just
    made up (`RefreshToken(None)`), writing rows for a request that proved nothing. Here a
    missing token is a 400 and an invalid one a 401, and neither writes anything.
    """

    permission_classes = [AllowAny]
    http_method_names = ["post", "options"]
    serializer_class = LogoutSerializer

    @extend_schema(request=LogoutSerializer, responses=Detail)
    def post(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            raise ValidationError({"refresh": [LOGOUT_BODY]})
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            RefreshToken(serializer.validated_data["refresh"]).blacklist()
        except TokenError as error:
            raise InvalidToken(error.args[0]) from None
        return Response({"detail": LOGGED_OUT})


class TokenVerifySerializer(jwt_serializers.TokenVerifySerializer):
    """A revoked token is a token error (401), as on refresh and logout, not a 400."""

    def validate(self, attrs):
        token = UntypedToken(attrs["token"])
        if BlacklistedToken.objects.filter(token__jti=token.get(jwt_settings.JTI_CLAIM)).exists():
            raise TokenError(TOKEN_REVOKED)
        return {}


class TokenVerifyView(jwt_views.TokenVerifyView):
    serializer_class = TokenVerifySerializer


class PasswordChangeView(rest_auth.PasswordChangeView):
    @extend_schema(responses=Detail)
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        refresh_tokens_revoke(user=request.user)
        return Response({"detail": PASSWORD_CHANGED})


@NO_TOKEN
class PasswordResetView(rest_auth.PasswordResetView):
    throttle_classes = [PasswordResetThrottle]

    @extend_schema(responses=Detail)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


@NO_TOKEN
class PasswordResetConfirmView(rest_auth.PasswordResetConfirmView):
    throttle_classes = [PasswordResetThrottle]

    @extend_schema(responses=Detail)
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        refresh_tokens_revoke(user=serializer.user)
        return Response({"detail": "Password has been reset with the new password."})


@NO_TOKEN
class RegisterView(BaseRegisterView):
    throttle_classes = [RegistrationThrottle]

    @extend_schema(
        responses={
            201: OpenApiResponse(description="Access and refresh tokens and the new user."),
            403: OpenApiResponse(description=SIGNUP_CLOSED),
        }
    )
    def post(self, request, *args, **kwargs):
        if not get_adapter(request._request).is_open_for_signup(request._request):
            raise PermissionDenied(SIGNUP_CLOSED)
        return super().post(request, *args, **kwargs)


class UserDetailsView(rest_auth.UserDetailsView):
    """The signed-in person; PATCH changes the name and the daily-summary preference."""

    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        serializer.instance = profile_update(
            actor=self.request.user, user=serializer.instance, **serializer.validated_data
        )
