"""Webhook endpoints of a team, for its leads: CRUD, their deliveries, a test, redelivery.

Reads go through `endpoints_visible_to` / `deliveries_visible_to` (a team's leads and the
administrators; anyone else gets 404), writes through `portal.webhooks.services`, which check
`can_manage_team` and the address rules (SSRF guard: a refused address is a 400).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api import fields
from portal.api.serializers.ids import TeamRefField, _user
from portal.api.views import ID, PathIds
from portal.events.kinds import EVENT_KINDS, kind_choices
from portal.teams.models import Team
from portal.teams.selectors import teams_visible_to
from portal.webhooks import services
from portal.webhooks.models import Attempt, Delivery, Endpoint
from portal.webhooks.selectors import (
    deliveries_visible_to,
    delivery_attempts,
    endpoints_visible_to,
)


class EndpointSerializer(fields.ModelSerializer):
    team = TeamRefField(queryset=Team.objects.none())
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=kind_choices()),
        required=False,
        max_length=len(EVENT_KINDS),
        help_text="Event kinds to send (docs/events.md); empty or left out: every kind.",
    )

    class Meta:
        model = Endpoint
        fields = (
            "id",
            "team",
            "url",
            "kinds",
            "is_active",
            "secret",
            "created_by",
            "created_at",
            "failing_since",
            "disabled_at",
            "disabled_reason",
        )
        read_only_fields = (
            "id",
            "secret",
            "created_by",
            "created_at",
            "failing_since",
            "disabled_at",
            "disabled_reason",
        )
        # The service checks the address once (where it resolves to), for every door.
        extra_kwargs = {"url": {"validators": []}, "is_active": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "data" in kwargs:
            self.fields["team"].queryset = teams_visible_to(fetched_by=user)


class EndpointChangeSerializer(EndpointSerializer):
    team = serializers.PrimaryKeyRelatedField(read_only=True)


class AttemptSerializer(fields.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ("at", "status_code", "error", "duration_ms", "response")
        read_only_fields = fields


class DeliverySerializer(fields.ModelSerializer):
    attempts = serializers.IntegerField(read_only=True, help_text="Attempts made so far.")
    attempt_log = AttemptSerializer(source="attempt_set", many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = (
            "id",
            "event",
            "kind",
            "task_id",
            "status",
            "attempts",
            "next_attempt_at",
            "retry_until",
            "last_status_code",
            "last_error",
            "created_at",
            "finished_at",
            "attempt_log",
        )
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Webhook endpoints of the teams I lead (all for administrators)"),
    create=extend_schema(summary="Add a webhook endpoint to a team (team lead, administrators)"),
    retrieve=extend_schema(summary="One webhook endpoint, with its signing secret"),
    partial_update=extend_schema(
        summary="Change a webhook endpoint; is_active true switches a disabled one on again"
    ),
    destroy=extend_schema(summary="Delete a webhook endpoint and its deliveries"),
)
class WebhookViewSet(PathIds, viewsets.ModelViewSet):
    path_ids = ("pk", "delivery_id")
    permission_classes = [IsAuthenticated]
    filter_backends: list = []
    lookup_value_regex = ID
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return endpoints_visible_to(fetched_by=self.request.user).order_by("pk")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return EndpointChangeSerializer
        return EndpointSerializer

    def perform_create(self, serializer):
        serializer.instance = services.endpoint_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.endpoint_update(
            actor=self.request.user, endpoint=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.endpoint_delete(actor=self.request.user, endpoint=instance)

    def _deliveries(self, endpoint):
        found = deliveries_visible_to(fetched_by=self.request.user).filter(endpoint=endpoint)
        return delivery_attempts(found).order_by("-pk")

    @extend_schema(
        summary="Deliveries to the endpoint, newest first, with their attempts",
        responses=DeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        page = self.paginate_queryset(self._deliveries(self.get_object()))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Send a test event (kind ping) to the endpoint, once, in the background",
        request=None,
        responses={202: DeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = services.endpoint_send_test(actor=request.user, endpoint=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Send a delivery again (same event id), retried for 24 hours anew",
        request=None,
        responses={202: DeliverySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"deliveries/(?P<delivery_id>{ID})/redeliver",
        pagination_class=None,
    )
    def redeliver(self, request, pk=None, delivery_id=None):
        delivery = get_object_or_404(self._deliveries(self.get_object()), pk=delivery_id)
        delivery = services.delivery_redeliver(actor=request.user, delivery=delivery)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
