"""Saved views (docs/api.md#saved-views): a person's named filters of a team's task list,
board or calendar (or of My work), private or shared with the team; `view=<id>` on
`/api/tasks/` applies one.

Reads go through `saved_views_visible_to` (another person's private view and another team's
views are 404), writes through `portal.savedviews.services`, which check who may share and
make defaults (403) and judge the filters with the task filter set (400).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from portal.api import fields
from portal.api.serializers.ids import TeamRefField, _user
from portal.api.views import ID, PathIds
from portal.core.validators import as_id
from portal.savedviews import services
from portal.savedviews.models import PageKind, SavedView
from portal.savedviews.params import PARAMS_MAX, VALUE_MAX
from portal.savedviews.selectors import saved_views_visible_to
from portal.teams.models import Team
from portal.teams.selectors import teams_visible_to

KIND_FILTER_INVALID = "Enter one of: " + ", ".join(PageKind.values) + "."
TEAM_FILTER_INVALID = 'Enter a team id, or "none" for views of My work.'
TOO_MANY_PARAMS = f"Send at most {PARAMS_MAX} filters."
PARAMS_HELP = (
    "The page's query parameters as names and text values, as the page's address has them "
    '({"status": "todo,blocked", "ordering": "-priority"}): the task filters (docs/api.md), '
    "custom field filters (cf_<key>), and the calendar's view (month, week) or the board's "
    "group; other names are left out, values the task filters refuse are a 400."
)


class ParamsField(serializers.DictField):
    child = fields.TextField(allow_blank=True, max_length=VALUE_MAX * 20)

    def to_internal_value(self, data):
        if isinstance(data, dict) and len(data) > PARAMS_MAX * 2:
            raise serializers.ValidationError(TOO_MANY_PARAMS)
        return super().to_internal_value(data)


class OptionalTeamField(TeamRefField):
    """A team, or null for My work; empty text is neither (DRF would take it as null)."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("invalid_ref")
        return super().run_validation(data)


class SavedViewSerializer(fields.ModelSerializer):
    team = OptionalTeamField(
        queryset=Team.objects.none(),
        allow_null=True,
        required=False,
        help_text="The team whose page this is; null: My work (private only).",
    )
    params = ParamsField(required=False, help_text=PARAMS_HELP)

    class Meta:
        model = SavedView
        fields = (
            "id",
            "name",
            "kind",
            "team",
            "owner",
            "params",
            "shared",
            "is_default",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "owner", "created_at", "updated_at")
        # The service judges the name's uniqueness (race-safe) and says it once.
        validators: list = []
        extra_kwargs = {"shared": {"required": False}, "is_default": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "data" in kwargs:
            self.fields["team"].queryset = teams_visible_to(fetched_by=user)


class SavedViewChangeSerializer(SavedViewSerializer):
    team = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta(SavedViewSerializer.Meta):
        read_only_fields = (*SavedViewSerializer.Meta.read_only_fields, "kind", "team")


LIST_PARAMETERS = [
    OpenApiParameter(
        "team",
        {"type": "string", "pattern": "^(|[1-9][0-9]{0,17}|none)$"},
        description='Only views of this team\'s pages (an id), or "none": views of My work.',
    ),
    OpenApiParameter(
        "kind", {"type": "string", "enum": ["", *PageKind.values]}, description="Only this page."
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="My saved views and my teams' shared ones", parameters=LIST_PARAMETERS
    ),
    create=extend_schema(
        summary="Save a view (shared and default: the team's leads, administrators)"
    ),
    retrieve=extend_schema(summary="One saved view"),
    partial_update=extend_schema(
        summary="Rename a view or change its filters (owner; leads for shared views), share "
        "it or make it the team's default (leads)"
    ),
    destroy=extend_schema(summary="Delete a view (owner; leads for shared views)"),
)
class SavedViewViewSet(PathIds, viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated]
    filter_backends: list = []
    lookup_value_regex = ID
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # The name clash is a table constraint, reported against the name.
    error_field_aliases = {"__all__": "name"}

    def get_queryset(self):
        views = saved_views_visible_to(fetched_by=self.request.user)
        if self.action == "list":
            views = self._filtered(views)
        return views.order_by("team_id", "kind", "name", "pk")

    def _filtered(self, views):
        params = self.request.query_params
        kind, team = params.get("kind", ""), params.get("team", "").strip()
        if kind:
            if kind not in PageKind.values:
                raise ValidationError({"kind": [KIND_FILTER_INVALID]})
            views = views.filter(kind=kind)
        if team == "none":
            views = views.filter(team__isnull=True)
        elif team:
            team_id = as_id(team)
            if team_id is None:
                raise ValidationError({"team": [TEAM_FILTER_INVALID]})
            views = views.filter(team_id=team_id)
        return views

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SavedViewChangeSerializer
        return SavedViewSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.saved_view_create(
            actor=self.request.user,
            team=data.get("team"),
            kind=data["kind"],
            name=data["name"],
            params=data.get("params") or {},
            shared=data.get("shared", False),
            is_default=data.get("is_default", False),
        )

    def perform_update(self, serializer):
        serializer.instance = services.saved_view_update(
            actor=self.request.user, view=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.saved_view_delete(actor=self.request.user, view=instance)
