"""One comment of a task: change its text (its author) or delete it (its author or the team
lead), at /api/tasks/{task_id}/comments/{id}/. Listing and adding are the task's `comments`
action (portal/api/views.py). The services decide; the permission is asked first only so that
a person who may not gets 403 before their payload is read."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api import serializers as s
from portal.api.views import PathIds
from portal.tasks import permissions as task_perms
from portal.tasks import services as task_services
from portal.tasks.selectors import comments_visible_to

TASK_ID = OpenApiParameter("task_pk", int, OpenApiParameter.PATH, description="The task's id.")


@extend_schema_view(
    partial_update=extend_schema(
        summary="Change a comment's text (its author)", parameters=[TASK_ID]
    ),
    update=extend_schema(summary="Change a comment's text (its author)", parameters=[TASK_ID]),
    destroy=extend_schema(
        summary="Delete a comment (its author or the team lead)", parameters=[TASK_ID]
    ),
)
class CommentViewSet(
    PathIds, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.CommentSerializer
    permission_classes = [IsAuthenticated]
    path_ids = ("pk", "task_pk")
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return comments_visible_to(fetched_by=self.request.user).filter(
            task_id=self.kwargs["task_pk"]
        )

    def get_object(self):
        comment = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if comment is None:
            raise Http404
        return comment

    def update(self, request, *args, **kwargs):
        comment = self.get_object()
        if not task_perms.can_edit_comment(request.user, comment, comment.task.team_id):
            raise PermissionDenied(task_perms.DENIED_EDIT_COMMENT)
        partial = kwargs.get("partial", False)
        payload = s.CommentSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        if "body" in payload.validated_data:  # a PATCH without it changes nothing
            comment = task_services.comment_update(
                actor=request.user, comment=comment, body=payload.validated_data["body"]
            )
        context = s.comment_links(request, [comment])
        return Response(s.CommentSerializer(comment, context=context).data)

    def destroy(self, request, *args, **kwargs):
        task_services.comment_delete(actor=request.user, comment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
