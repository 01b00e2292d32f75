"""Resource endpoints: teams, their members and custom field definitions, and people.

Each viewset reads through a selector (so outsiders get 404), checks the role rules through
permission classes (403), and writes through a service.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api import serializers as s
from portal.api.permissions import TeamRules
from portal.api.views import ID, PathIds
from portal.tasks import services as task_services
from portal.tasks.custom_fields import fields_of
from portal.tasks.models import CustomField
from portal.teams import services as team_services
from portal.teams.selectors import memberships_visible_to, teams_visible_to, users_visible_to


# --- teams and members -----------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="Teams I belong to (all teams for administrators)"),
    create=extend_schema(summary="Create a team (administrators)"),
    retrieve=extend_schema(summary="One team"),
    partial_update=extend_schema(summary="Change a team (team lead, administrators)"),
    destroy=extend_schema(summary="Delete a team without tasks (administrators)"),
)
class TeamViewSet(PathIds, viewsets.ModelViewSet):
    serializer_class = s.TeamSerializer
    permission_classes = [IsAuthenticated, TeamRules]
    filter_backends: list = []
    lookup_value_regex = ID
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return teams_visible_to(fetched_by=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = team_services.team_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        serializer.instance = team_services.team_update(
            actor=self.request.user, team=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        team_services.team_delete(actor=self.request.user, team=instance)

    def _memberships(self, team):
        return (
            memberships_visible_to(fetched_by=self.request.user)
            .filter(team=team)
            .order_by("user__username")
        )

    @extend_schema(
        methods=["GET"], summary="Members of the team", responses=s.MembershipSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a member (team lead, administrators)",
        request=s.MembershipCreateSerializer,
        responses={201: s.MembershipSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="members")
    def members(self, request, pk=None):
        team = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(self._memberships(team))
            data = s.MembershipSerializer(page, many=True).data
            return self.get_paginated_response(data)
        payload = s.MembershipCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        membership = team_services.membership_add(
            actor=request.user,
            team=team,
            user=payload.validated_data["user_id"],
            role=payload.validated_data["role"],
        )
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        summary="Change a member's role (team lead, administrators)",
        request=s.MembershipRoleSerializer,
        responses=s.MembershipSerializer,
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove a member (team lead, administrators)",
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=rf"members/(?P<user_id>{ID})",
        pagination_class=None,
    )
    def member(self, request, pk=None, user_id=None):
        team = self.get_object()
        membership = get_object_or_404(self._memberships(team), user_id=user_id)
        if request.method == "DELETE":
            team_services.membership_delete(actor=request.user, membership=membership)
            return Response(status=status.HTTP_204_NO_CONTENT)
        payload = s.MembershipRoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = team_services.membership_change_role(
            actor=request.user, membership=membership, role=payload.validated_data["role"]
        )
        return Response(s.MembershipSerializer(membership).data)

    # --- custom fields (portal/tasks/custom_fields.py) ---------------------------------
    @extend_schema(
        methods=["GET"],
        summary="The team's custom fields (members; archived ones with ?archived=true)",
        responses=s.CustomFieldSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Define a custom field (team lead, administrators)",
        request=s.CustomFieldSerializer,
        responses={201: s.CustomFieldSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="fields", pagination_class=None)
    def custom_fields(self, request, pk=None):
        team = self.get_object()
        if request.method == "GET":
            archived = str(request.query_params.get("archived", "")).lower() in ("true", "1")
            data = s.CustomFieldSerializer(fields_of(team.pk, archived=archived), many=True).data
            return Response(data)
        payload = s.CustomFieldSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        field = task_services.custom_field_create(
            actor=request.user, team=team, **payload.validated_data
        )
        return Response(s.CustomFieldSerializer(field).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], summary="One custom field", responses=s.CustomFieldSerializer)
    @extend_schema(
        methods=["PATCH"],
        summary="Change a custom field (team lead, administrators); the key stays",
        request=s.CustomFieldSerializer,
        responses=s.CustomFieldSerializer,
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Delete a custom field (team lead); with ?confirm=1 when tasks hold values",
        parameters=[OpenApiParameter("confirm", str, description="1 removes tasks' values.")],
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["get", "patch", "delete"],
        url_path=rf"fields/(?P<field_id>{ID})",
        pagination_class=None,
    )
    def custom_field(self, request, pk=None, field_id=None):
        team = self.get_object()
        field = get_object_or_404(
            CustomField.objects.select_related("team"), team=team, pk=field_id
        )
        if request.method == "GET":
            return Response(s.CustomFieldSerializer(field).data)
        if request.method == "DELETE":
            confirm = str(request.query_params.get("confirm", "")).lower() in ("1", "true", "yes")
            task_services.custom_field_delete(actor=request.user, field=field, confirm=confirm)
            return Response(status=status.HTTP_204_NO_CONTENT)
        payload = s.CustomFieldSerializer(field, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        field = task_services.custom_field_update(
            actor=request.user, field=field, **payload.validated_data
        )
        return Response(s.CustomFieldSerializer(field).data)

    def get_serializer_class(self):
        if self.action in ("custom_fields", "custom_field"):
            return s.CustomFieldSerializer
        if self.action == "members":
            return s.MembershipSerializer
        if self.action == "member":
            return s.MembershipRoleSerializer
        return super().get_serializer_class()


# --- people ----------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="People who share a team with me (everyone for administrators)"),
    retrieve=extend_schema(summary="One person"),
)
class UserViewSet(PathIds, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.UserSerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ("username", "first_name", "last_name", "email")
    lookup_value_regex = ID

    def get_queryset(self):
        return users_visible_to(fetched_by=self.request.user)

    @extend_schema(summary="Me, with my teams and roles", responses=s.ProfileSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def me(self, request):
        return Response(s.ProfileSerializer(request.user, context={"request": request}).data)
