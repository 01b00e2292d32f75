"""Resource endpoints: tags, tasks, comments and history (teams, members and people are in
`portal.api.teams`).

Each viewset reads through a selector (so outsiders get 404), checks the role rules through
permission classes (403), and writes through a service.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api import serializers as s
from portal.api.filters import SAVED_VIEW_PARAMETER, TaskFilterBackend, task_filter_parameters
from portal.api.notifications import WatchSerializer, watch_response
from portal.api.permissions import TagRules, TaskRules
from portal.core.validators import as_id
from portal.tasks import services as task_services
from portal.tasks.filters import TaskFilter
from portal.tasks.models import Task
from portal.tasks.selectors import (
    tags_visible_to,
    task_comments,
    task_history,
    task_history_entries,
    task_rows,
    tasks_visible_to,
)

ID = r"\d+"
# Model field names in domain errors -> the API's names.
TASK_ERROR_FIELDS = {"assignees": "assignee_ids", "tags": "tag_ids"}


class PathIds:
    """Ids in the address that no row can have (beyond 64 bits) are unknown: 404.

    The database is not asked: SQLite cannot even take such a number as a parameter.
    """

    path_ids = ("pk", "user_id", "field_id")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if any(as_id(kwargs[name]) is None for name in self.path_ids if name in kwargs):
            raise Http404


# --- tags ------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="Tags used by my teams, and unused ones"),
    create=extend_schema(summary="Create a tag (leads and members)"),
    retrieve=extend_schema(summary="One tag"),
)
class TagViewSet(
    PathIds,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.TagSerializer
    permission_classes = [IsAuthenticated, TagRules]
    filter_backends = [filters.SearchFilter]
    search_fields = ("name",)
    lookup_value_regex = ID
    # The name clash is a table constraint, reported against the name.
    error_field_aliases = {"__all__": "name"}

    def get_queryset(self):
        return tags_visible_to(fetched_by=self.request.user).order_by("name")

    def perform_create(self, serializer):
        serializer.instance = task_services.tag_create(
            actor=self.request.user, **serializer.validated_data
        )


# --- tasks -----------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="Tasks of my teams (archived ones only when asked)",
        description=(
            "Custom fields filter as `cf_<key>=value` (equality; a comma list is any of, for "
            "choices), `cf_<key>__gte=` and `cf_<key>__lte=` (numbers and dates), and order "
            "with `ordering=cf_<key>` or `-cf_<key>` (docs/custom-fields.md)."
        ),
        parameters=[*task_filter_parameters(), SAVED_VIEW_PARAMETER],
    ),
    create=extend_schema(summary="Create a task (leads and members of its team)"),
    retrieve=extend_schema(summary="One task"),
    update=extend_schema(summary="Change a task"),
    partial_update=extend_schema(summary="Change some fields of a task"),
    destroy=extend_schema(summary="Delete a task (team lead, administrators)"),
)
class TaskViewSet(PathIds, viewsets.ModelViewSet):
    serializer_class = s.TaskSerializer
    permission_classes = [IsAuthenticated, TaskRules]
    filter_backends = [TaskFilterBackend]
    filterset_class = TaskFilter
    lookup_value_regex = ID
    error_field_aliases = TASK_ERROR_FIELDS

    def get_queryset(self):
        tasks = tasks_visible_to(fetched_by=self.request.user)
        # Comments and history need the task's id and team, not its assignees and tags.
        if self.action in ("comments", "history"):
            return tasks.prefetch_related(None)
        return tasks

    def filter_queryset(self, queryset):
        # Filters (and hiding archived tasks) apply to the list, not to one task by id.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    # Reads build no model instances: plain rows of the same selector's queryset and one
    # query for the page's assignees and tags (docs/api.md, "Lean reads").
    def list(self, request, *args, **kwargs):
        tasks = self.filter_queryset(self.get_queryset())
        return self.get_paginated_response(s.tasks_json(self.paginate_queryset(tasks)))

    def page_rows(self, tasks):
        """What a page of the list reads (the pagination counts `tasks` themselves)."""
        return task_rows(tasks) if self.action == "list" else tasks

    def retrieve(self, request, *args, **kwargs):
        row = get_object_or_404(task_rows(self.get_queryset()), pk=kwargs["pk"])
        self.check_object_permissions(request, row)
        return Response(s.tasks_json([row])[0])

    # Writes answer from what they hold: the task as saved, the links they were given or
    # that were preloaded with it (nothing is read back).
    def _written(self, task: Task, given: dict) -> dict:
        links = {
            name: given[name] if name in given else getattr(task, name).all()
            for name in ("assignees", "tags")
        }
        return s.task_json(task, **links)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        task = task_services.task_create(
            actor=request.user, team=data.pop("team"), title=data.pop("title"), **data
        )
        given = {"assignees": [], "tags": [], **serializer.validated_data}
        return Response(self._written(task, given), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        task = task_services.task_update(
            actor=request.user, task=serializer.instance, **serializer.validated_data
        )
        return Response(self._written(task, serializer.validated_data))

    def perform_destroy(self, instance):
        task_services.task_delete(actor=self.request.user, task=instance)

    def _task_response(self, task: Task, given: dict | None = None) -> Response:
        return Response(self._written(task, given or {}))

    @extend_schema(
        summary="Replace the assignees",
        request=s.AssignSerializer,
        responses=s.TaskSerializer,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        task = self.get_object()
        payload = s.AssignSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        assignees = payload.validated_data["assignee_ids"]
        task_services.task_assign(actor=request.user, task=task, assignees=assignees)
        return self._task_response(task, {"assignees": assignees})

    @extend_schema(summary="Archive (team lead, or the member who created it)", request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        task = self.get_object()
        task_services.task_archive(actor=request.user, task=task)
        return self._task_response(task)

    @extend_schema(summary="Unarchive (team lead, or the member who created it)", request=None)
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        task = self.get_object()
        task_services.task_unarchive(actor=request.user, task=task)
        return self._task_response(task)

    @extend_schema(
        methods=["GET"], summary="Comments, oldest first", responses=s.CommentSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Comment (leads and members)",
        request=s.CommentSerializer,
        responses={201: s.CommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            rows = task_comments(fetched_by=request.user, task=task)
            page = self.paginate_queryset(rows)
            context = s.comment_links(request, page)
            return self.get_paginated_response(
                s.CommentSerializer(page, many=True, context=context).data
            )
        payload = s.CommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = task_services.comment_add(
            actor=request.user, task=task, body=payload.validated_data["body"]
        )
        context = s.comment_links(request, [comment])
        return Response(
            s.CommentSerializer(comment, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["POST"],
        summary="Watch the task (hear of its comments and status changes)",
        request=None,
        responses={200: WatchSerializer, 201: WatchSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Stop watching the task",
        request=None,
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["post", "delete"],
        filter_backends=[],
        permission_classes=[IsAuthenticated],
    )
    def watch(self, request, pk=None):
        return watch_response(request, self.get_object())

    @extend_schema(
        summary="Change history, newest first", responses=s.HistoryRecordSerializer(many=True)
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        records = task_history(self.get_object())
        rows = task_history_entries(records, self.paginate_queryset(records))
        return self.get_paginated_response(s.HistoryRecordSerializer(rows, many=True).data)

    def get_serializer_class(self):
        if self.action == "comments":
            return s.CommentSerializer
        if self.action == "history":
            return s.HistoryRecordSerializer
        return super().get_serializer_class()
