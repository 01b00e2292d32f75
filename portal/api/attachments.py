"""A task's attachments: list, upload (multipart), one, download, thumbnail, delete.

Reads start from `attachments_visible_to` (another team's task or file: 404, even with its exact
id), writes go through `portal.attachments.services`, and the download's answer is the one the
team pages give (`portal.attachments.responses`): streamed, the sniffed type, `nosniff`,
inline only for images and PDFs.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from portal.api import fields
from portal.api.serializers.people import UserRefSerializer
from portal.api.views import PathIds
from portal.attachments import permissions as perms
from portal.attachments.models import Attachment
from portal.attachments.responses import file_response
from portal.attachments.selectors import attachment_for, task_attachments
from portal.attachments.services import attachment_delete, attachment_upload
from portal.tasks.selectors import comments_visible_to, tasks_visible_to

NO_COMMENT = "No such comment on this task."


class AttachmentSerializer(fields.ModelSerializer):
    uploaded_by = UserRefSerializer(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = (
            "id",
            "task",
            "comment",
            "name",
            "size",
            "content_type",
            "sha256",
            "scan_state",
            "uploaded_by",
            "created_at",
            "download_url",
            "thumbnail_url",
        )
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": "The name as given (shown escaped; never used for storage)."},
            "content_type": {"help_text": "Sniffed from the file's bytes, not the upload's."},
            "scan_state": {
                "help_text": "pending (waiting for the virus scan: not downloadable yet), "
                "clean, or rejected (never downloadable)."
            },
        }

    def _url(self, name: str, item: Attachment) -> str:
        return reverse(
            f"api:{name}", args=[item.task_id, item.pk], request=self.context.get("request")
        )

    def get_download_url(self, item: Attachment) -> str:
        return self._url("task-attachment-download", item)

    def get_thumbnail_url(self, item: Attachment) -> str | None:
        return self._url("task-attachment-thumbnail", item) if item.thumbnail_name else None


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text="The file (one per request); at most ATTACHMENTS_MAX_FILE_MB.",
    )
    comment = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Attach to this comment of the task (optional).",
    )


class _TaskAttachments(PathIds):
    path_ids = ("id", "attachment_id")
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def task(self):
        task = tasks_visible_to(fetched_by=self.request.user).filter(pk=self.kwargs["id"]).first()
        if task is None:
            raise Http404
        return task

    def attachment(self) -> Attachment:
        item = attachment_for(fetched_by=self.request.user, pk=self.kwargs["attachment_id"])
        if item is None or item.task_id != int(self.kwargs["id"]):
            raise Http404
        return item


class AttachmentListView(_TaskAttachments, APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="A task's attachments (its comments' included), oldest first",
        operation_id="tasks_attachments_list",
        responses=AttachmentSerializer(many=True),
    )
    def get(self, request, id=None):
        items = task_attachments(fetched_by=request.user, task=self.task())
        return Response(AttachmentSerializer(items, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Attach a file to a task (leads and members)",
        description="Multipart upload, streamed to storage. Refused with 400 and "
        '`{"file": ["message"]}`: a file over the size limit, one that would take the task '
        "over its total, programs (whatever their name), web pages, SVG (unless the operator "
        "allows them), images with web page code inside, images of too many pixels. Viewers "
        "get 403, other teams' people 404.",
        operation_id="tasks_attachments_create",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    def post(self, request, id=None):
        task = self.task()
        if not perms.can_upload(request.user, task):
            raise PermissionDenied(perms.DENIED_UPLOAD)
        payload = AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = None
        if "comment" in payload.validated_data:
            comment = (
                comments_visible_to(fetched_by=request.user)
                .filter(task=task, pk=payload.validated_data["comment"])
                .first()
            )
            if comment is None:
                raise serializers.ValidationError({"comment": [NO_COMMENT]})
        try:
            item = attachment_upload(
                actor=request.user, task=task, file=payload.validated_data["file"], comment=comment
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from None
        body = AttachmentSerializer(item, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class AttachmentDetailView(_TaskAttachments, APIView):
    @extend_schema(
        summary="One attachment",
        operation_id="tasks_attachments_retrieve",
        responses=AttachmentSerializer,
    )
    def get(self, request, id=None, attachment_id=None):
        return Response(AttachmentSerializer(self.attachment(), context={"request": request}).data)

    @extend_schema(
        summary="Delete an attachment (the uploader, leads)",
        description="Its stored file and thumbnail are deleted by a background job.",
        operation_id="tasks_attachments_destroy",
        responses={204: None},
    )
    def delete(self, request, id=None, attachment_id=None):
        attachment_delete(actor=request.user, attachment=self.attachment())
        return Response(status=status.HTTP_204_NO_CONTENT)


FILE_RESPONSES = {
    (200, "*/*"): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="The file, streamed, with its sniffed type and `nosniff`; "
        "`Content-Disposition: inline` for images and PDFs, `attachment` for the rest. "
        "With S3 and ATTACHMENTS_PRESIGNED_SECONDS, a 302 to a short-lived URL instead.",
    ),
    409: OpenApiResponse(description="Waiting for its virus scan, or rejected by it."),
}


class AttachmentDownloadView(_TaskAttachments, APIView):
    @extend_schema(
        summary="Download an attachment",
        operation_id="tasks_attachments_download",
        responses=FILE_RESPONSES,
    )
    def get(self, request, id=None, attachment_id=None):
        return file_response(self.attachment())


class AttachmentThumbnailView(_TaskAttachments, APIView):
    @extend_schema(
        summary="An image attachment's thumbnail (JPEG or PNG, no EXIF)",
        operation_id="tasks_attachments_thumbnail",
        responses={
            (200, "image/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="JPEG, or PNG for images with transparency."
            ),
            404: OpenApiResponse(description="Not an image, or its thumbnail is not made yet."),
        },
    )
    def get(self, request, id=None, attachment_id=None):
        return file_response(self.attachment(), thumbnail=True)
