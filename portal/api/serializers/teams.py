"""Teams and memberships."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.accounts.models import User
from portal.api import fields
from portal.api.serializers.ids import IdField, _user
from portal.api.serializers.people import UserRefSerializer
from portal.teams import permissions as perms
from portal.teams.models import Membership, Role, Team


class TeamSerializer(fields.ModelSerializer):
    # The service upper-cases and checks keys (and fills the slug from the name).
    key = fields.TeamKeyField(max_length=10)
    my_role = serializers.SerializerMethodField(
        help_text="Your role in the team, or null (administrators who are not members)."
    )

    class Meta:
        model = Team
        fields = (
            "id",
            "name",
            "slug",
            "key",
            "time_zone",
            "description",
            "my_role",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")
        extra_kwargs = {
            "slug": {"required": False, "allow_blank": True, "validators": []},
            "name": {"validators": []},
        }

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_my_role(self, team) -> str | None:
        return perms.role_in(_user(self), team.pk)


class MembershipSerializer(fields.ModelSerializer):
    user = UserRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("user", "role", "joined_at")
        read_only_fields = ("joined_at",)


class MembershipCreateSerializer(serializers.Serializer):
    user_id = IdField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
