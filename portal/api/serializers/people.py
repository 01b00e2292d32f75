"""People: references, the profile, registration and password reset."""

from dj_rest_auth.registration.serializers import RegisterSerializer as BaseRegisterSerializer
from dj_rest_auth.serializers import PasswordResetSerializer as BasePasswordResetSerializer
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.accounts.models import EMAIL_TAKEN, User
from portal.api import fields
from portal.teams.models import Membership, Role

USERNAME_TAKEN = "A user with that username already exists."


class UserRefSerializer(fields.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "username")


class UserSerializer(fields.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "username", "first_name", "last_name", "email")
        read_only_fields = fields


class TeamRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class ProfileSerializer(fields.ModelSerializer):
    """The signed-in person (`/api/auth/user/`, `/api/users/me/`)."""

    teams = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "receive_daily_summary",
            "time_zone",
            "is_superuser",
            "teams",
        )
        read_only_fields = ("id", "username", "email", "is_superuser", "teams")

    @extend_schema_field(TeamRoleSerializer(many=True))
    def get_teams(self, user) -> list[dict]:
        rows = Membership.objects.filter(user=user).select_related("team").order_by("team__name")
        return [
            {"id": m.team_id, "key": m.team.key, "name": m.team.name, "role": m.role} for m in rows
        ]


class RegisterSerializer(BaseRegisterSerializer):
    """Sign-up through the API with the same password rules as every other door."""

    def validate_username(self, username):
        username = super().validate_username(username)
        if User.objects.filter(username__iexact=username).exists():
            raise serializers.ValidationError(USERNAME_TAKEN)
        return username

    def validate_email(self, email):
        email = super().validate_email(email)
        if email and User.objects.filter(email__iexact=email).exists():
            raise serializers.ValidationError(EMAIL_TAKEN)
        return email

    def validate_password1(self, password):
        # The rules that look at the person (not containing the username) run in validate().
        return password

    def validate(self, data):
        data = super().validate(data)
        candidate = User(username=data.get("username", ""), email=data.get("email", ""))
        try:
            password_validation.validate_password(data["password1"], candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password1": list(exc.messages)}) from exc
        return data

    def save(self, request):
        try:
            with transaction.atomic():
                return super().save(request)
        except IntegrityError:
            # Someone signed up with the same username or email at the same moment; the checks
            # above now see their row and give the usual message.
            checks = (("username", self.validate_username), ("email", self.validate_email))
            for name, check in checks:
                try:
                    check(self.validated_data.get(name, ""))
                except serializers.ValidationError as exc:
                    detail = exc.detail
                except DjangoValidationError as exc:
                    detail = exc.messages
                else:
                    continue
                raise serializers.ValidationError({name: detail}) from None
            raise


def password_reset_url(request, user, temp_key) -> str:
    """Reset links open the portal's own reset page (uid and key also work with the API)."""
    from allauth.account.utils import user_pk_to_url_str
    from allauth.utils import build_absolute_uri

    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": temp_key},
    )
    return build_absolute_uri(request, path)


class PasswordResetSerializer(BasePasswordResetSerializer):
    def get_email_options(self):
        return {"url_generator": password_reset_url}
