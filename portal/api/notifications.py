"""The person's notifications (/api/notifications/) and watching a task
(/api/tasks/<id>/watch/, wired on the tasks' viewset). Rules live in portal.notifications."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.notifications import services as ns
from portal.notifications.kinds import Kind
from portal.notifications.selectors import notifications_of

UNREAD_INVALID = "Use unread=1 (only unread) or unread=0 (only read)."


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    event = serializers.IntegerField(source="event_id", read_only=True, allow_null=True)
    actor = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, default=None
    )
    team = serializers.IntegerField(source="team_id", read_only=True, allow_null=True)
    task = serializers.IntegerField(source="task_id", read_only=True, allow_null=True)
    task_key = serializers.CharField(read_only=True)
    task_title = serializers.CharField(read_only=True)
    comment = serializers.IntegerField(source="comment_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)


ReadAllSerializer = inline_serializer(
    "NotificationsReadAll", {"marked": serializers.IntegerField()}
)


def unread_param(raw: str | None) -> bool | None:
    if raw is None:
        return None
    if raw == "1":
        return True
    if raw == "0":
        return False
    raise ValidationError({"unread": [UNREAD_INVALID]})


@extend_schema_view(
    list=extend_schema(
        summary="My notifications, newest first",
        parameters=[
            OpenApiParameter(
                "unread",
                OpenApiTypes.STR,
                enum=["1", "0"],
                description="1: unread only; 0: read only",
            )
        ],
    ),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"
    filter_backends: list = []

    def get_queryset(self):
        unread = unread_param(self.request.query_params.get("unread"))
        return notifications_of(fetched_by=self.request.user, unread=unread)

    @extend_schema(
        summary="Mark one notification read", request=None, responses=NotificationSerializer
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = get_object_or_404(notifications_of(fetched_by=request.user), pk=pk)
        ns.notification_read(user=request.user, notification=note)
        return Response(NotificationSerializer(note).data)

    @extend_schema(
        summary="Mark all my notifications read", request=None, responses=ReadAllSerializer
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": ns.notifications_read_all(user=request.user)})


WatchSerializer = inline_serializer("Watching", {"watching": serializers.BooleanField()})


def watch_response(request, task) -> Response:
    """POST: watch the task (201, or 200 if already); DELETE: stop watching (204)."""
    if request.method == "DELETE":
        ns.watch_remove(actor=request.user, task=task)
        return Response(status=status.HTTP_204_NO_CONTENT)
    created = ns.watch_add(actor=request.user, task=task)
    return Response(
        {"watching": True}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
    )
