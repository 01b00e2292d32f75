"""A team's invitations, for its leads: list the open ones, invite, send again, withdraw.

Reads go through `invitations_open` (leads and administrators see the team's; everyone else
nothing), writes through `portal.teams.invitations`. A lead who has sent too many invitations
this hour gets 429 with the domain's message.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import fields
from portal.api.serializers.people import UserRefSerializer
from portal.api.views import PathIds
from portal.teams import invitations as inv
from portal.teams import permissions as perms
from portal.teams.models import Invitation, InvitationState, Role
from portal.teams.selectors import invitations_open, teams_visible_to


class InvitationSerializer(fields.ModelSerializer):
    invited_by = UserRefSerializer(read_only=True, allow_null=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ("id", "email", "role", "state", "invited_by", "sent_at", "expires_at")
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[InvitationState.PENDING, InvitationState.EXPIRED],
            help_text="pending, or expired (send it again for a new link).",
        )
    )
    def get_state(self, invitation) -> str:
        return invitation.state()


class InvitationCreateSerializer(serializers.Serializer):
    email = fields.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class _TeamInvitations(PathIds):
    path_ids = ("id", "invitation_id")
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def team(self):
        """The team (404 for outsiders); 403 for its people who do not lead it."""
        team = teams_visible_to(fetched_by=self.request.user).filter(pk=self.kwargs["id"]).first()
        if team is None:
            raise Http404
        if not perms.can_manage_team(self.request.user, team):
            raise PermissionDenied(perms.DENIED_MANAGE_TEAM)
        return team

    def sending(self, apply):
        try:
            return apply()
        except inv.TooManyInvitations as exc:
            raise Throttled(detail=" ".join(exc.messages)) from exc


class InvitationListView(_TeamInvitations, APIView):
    """The team's open invitations, and inviting someone."""

    @extend_schema(
        summary="Open invitations of the team (team lead, administrators)",
        description="Invitations not yet accepted or withdrawn, newest first (expired included).",
        operation_id="teams_invitations_list",
        responses=InvitationSerializer(many=True),
    )
    def get(self, request, id=None):
        found = invitations_open(fetched_by=request.user, team=self.team())
        return Response(InvitationSerializer(found, many=True).data)

    @extend_schema(
        summary="Invite an email address to the team (team lead, administrators)",
        description=(
            "Emails a link that works once, for 7 days. An address with an open invitation "
            "gets it again with this role and a new link; a member's address is refused."
        ),
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
    )
    def post(self, request, id=None):
        team = self.team()
        payload = InvitationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = self.sending(
            lambda: inv.invitation_create(
                actor=request.user,
                team=team,
                base_url=inv.link_base(request),
                **payload.validated_data,
            )
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class _InvitationAction(_TeamInvitations, APIView):
    """One open invitation of the team (404 otherwise)."""

    def invitation(self):
        team = self.team()
        found = invitations_open(fetched_by=self.request.user, team=team)
        invitation = found.filter(pk=self.kwargs["invitation_id"]).first()
        if invitation is None:
            raise Http404
        invitation.team = team
        return invitation


class InvitationResendView(_InvitationAction):
    """Send an open invitation again."""

    @extend_schema(
        summary="Send an invitation again: a new link for 7 days; the old one stops working",
        request=None,
        responses=InvitationSerializer,
    )
    def post(self, request, id=None, invitation_id=None):
        invitation = self.invitation()
        self.sending(
            lambda: inv.invitation_resend(
                actor=request.user, invitation=invitation, base_url=inv.link_base(request)
            )
        )
        return Response(InvitationSerializer(invitation).data)


class InvitationRevokeView(_InvitationAction):
    """Withdraw an open invitation."""

    @extend_schema(
        summary="Withdraw an invitation: its link stops working",
        request=None,
        responses={204: None},
    )
    def post(self, request, id=None, invitation_id=None):
        inv.invitation_revoke(actor=request.user, invitation=self.invitation())
        return Response(status=status.HTTP_204_NO_CONTENT)
