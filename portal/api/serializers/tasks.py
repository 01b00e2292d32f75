"""Tasks, tags, comments and history; and the lean task JSON built from plain rows."""

from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from portal.accounts.models import User
from portal.api import fields
from portal.api.serializers.ids import MAX_IDS, IdField, TeamRefField, _user
from portal.api.serializers.people import UserRefSerializer
from portal.tasks import permissions as task_perms
from portal.tasks.custom_fields import KEY_REGEX, RESERVED_KEYS, fields_by_team
from portal.tasks.custom_show import api_values
from portal.tasks.due import due_given
from portal.tasks.fields import TASK_FIELDS, api_names, plain_names
from portal.tasks.keys import task_key
from portal.tasks.models import Comment, CustomField, Tag, Task
from portal.tasks.richtext import rich_text, team_page_url, text_links
from portal.tasks.selectors import TASK_ROW_FIELDS, tags_visible_to, task_links, tasks_visible_to
from portal.tasks.services.custom_fields import DEFINITION_FIELDS
from portal.teams.models import Team
from portal.teams.selectors import teams_visible_to, users_visible_to


class TagSerializer(fields.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("id", "name", "color")
        extra_kwargs = {"color": {"required": False}}


class CommentSerializer(fields.ModelSerializer):
    """A comment: `body` as written (Markdown), `body_html` as the team pages show it.

    The view puts the page's links (`text_links`, read once for all its comments) in the
    context as `links`; without them keys and mentions stay text."""

    author = UserRefSerializer(read_only=True)
    body_html = serializers.SerializerMethodField(
        help_text="The body rendered from Markdown and sanitised (no raw HTML, no images, "
        "links only to http, https, mailto and this site), task keys and @mentions linked."
    )

    class Meta:
        model = Comment
        fields = ("id", "task", "author", "body", "body_html", "created_at", "updated_at")
        fields += ("edited_at",)
        read_only_fields = ("id", "task", "author", "created_at", "updated_at", "edited_at")

    def get_body_html(self, comment) -> str:
        return str(rich_text(comment.body, self.context.get("links")))


def comment_links(request, comments) -> dict:
    """The serializer context with the links of `comments`' texts (at most two queries)."""
    comments = list(comments)
    if not comments:
        return {"request": request}
    links = text_links(
        user=request.user,
        team=comments[0].task.team,
        texts=[c.body for c in comments],
        task_url=team_page_url,
    )
    return {"request": request, "links": links}


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = UserRefSerializer(allow_null=True)
    changes = ChangeSerializer(many=True)


CUSTOM_FIELDS_HELP = (
    "The values of the team's custom fields, by field key (GET /api/teams/{id}/fields/ lists "
    "them): text, numbers, dates (2026-12-31), a choice's label, a list of labels, a person's "
    "user id (or username when writing), true/false, URLs. Answers give every shown field, "
    "null when empty. A write sets the keys it gives and clears those given as null."
)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "nullable": True,
            "oneOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "array", "items": {"type": "string"}},
            ],
        },
        "example": {"severity": "S2", "points": 3, "areas": ["api", "web"], "billable": True},
    }
)
class CustomValuesField(serializers.Field):
    """A task's custom values as the API shows them (choices by label); written as given,
    the service reads and checks them (`portal.tasks.custom_fields.clean_custom_values`)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, help_text=CUSTOM_FIELDS_HELP, **kwargs)

    def to_representation(self, task):
        definitions = getattr(task, "custom_definitions", None)
        if definitions is None:
            definitions = fields_by_team([task.team_id]).get(task.team_id, [])
        return api_values(definitions, task.custom_fields)

    def to_internal_value(self, data):
        return {"custom_fields": data}


class TaskSerializer(fields.ModelSerializer):
    key = serializers.CharField(read_only=True)
    team = TeamRefField(queryset=Team.objects.none())
    created_by = UserRefSerializer(read_only=True)
    assignees = UserRefSerializer(many=True, read_only=True)
    tags = TagSerializer(many=True, read_only=True)
    assignee_ids = IdField(
        source="assignees",
        many=True,
        write_only=True,
        required=False,
        queryset=User.objects.none(),
        help_text=(
            f"Ids of people to assign (at most {MAX_IDS}); each must be a member of the "
            "task's team."
        ),
    )
    tag_ids = IdField(
        source="tags",
        many=True,
        write_only=True,
        required=False,
        queryset=Tag.objects.none(),
        help_text=f"Ids of tags (at most {MAX_IDS}).",
    )
    parent = IdField(queryset=Task.objects.none(), allow_null=True, required=False)
    due_date = fields.DueField()
    repeat = fields.RepeatField()
    metadata = fields.ObjectField(
        required=False, help_text='A JSON object of your own, such as {"source": "email"}.'
    )
    custom_fields = CustomValuesField()

    class Meta:
        model = Task
        fields = api_names()
        read_only_fields = ("is_archived", "completed_at", "created_at", "updated_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        # Only a write reads ids: a GET builds none of these querysets (they cost time per call).
        if user is None or "data" not in kwargs:
            return
        # Ids outside what the caller may see are "invalid" rather than revealing they exist.
        # Each queryset is built when its field is given (IdField.get_queryset).
        fields = self.fields
        fields["team"].queryset = lambda: teams_visible_to(fetched_by=user)
        fields["parent"].queryset = lambda: tasks_visible_to(fetched_by=user).prefetch_related(None)
        fields["assignee_ids"].child_relation.queryset = lambda: users_visible_to(fetched_by=user)
        fields["tag_ids"].child_relation.queryset = lambda: tags_visible_to(fetched_by=user)

    def validate_team(self, team):
        if self.instance is None and not task_perms.can_create_task(_user(self), team):
            raise PermissionDenied(task_perms.DENIED_CREATE_TASK)
        return team


class AssignSerializer(serializers.Serializer):
    assignee_ids = IdField(
        many=True,
        queryset=User.objects.none(),
        help_text=f"Ids of the people to assign (at most {MAX_IDS}); [] unassigns everyone.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["assignee_ids"].child_relation.queryset = users_visible_to(fetched_by=user)


# What TaskSerializer shows, built from plain rows (`task_rows`) and a page's links
# (`task_links`) instead of model instances and a serializer per row: the same JSON, key for
# key (tests/api/test_task_json.py compares them), at a fraction of the cost per row. The
# plain fields are their row's column; these are built from the row and the page's links.
_TASK_BUILT = {
    "number": lambda row, _: task_key(row["team__key"], row["number"]) if row["team_id"] else "",
    "team": lambda row, _: row["team_id"],
    "created_by": lambda row, _: (
        None
        if row["created_by_id"] is None
        else {"id": row["created_by_id"], "username": row["created_by__username"]}
    ),
    "assignees": lambda _, links: links["assignees"],
    "tags": lambda _, links: links["tags"],
    "parent": lambda row, _: row["parent_id"],
    # A day or a moment, as it was given (portal/tasks/due.py).
    "due_date": lambda row, _: _DUE.show(due_given(row["due_date"], row["due_day"])),
    # Every shown field of the task's team, choices by label (links["custom"]: its fields).
    "custom_fields": lambda row, links: api_values(links["custom"], row["custom_fields"]),
    "repeat": lambda row, _: fields.RepeatField.show(row["repeat_rule"], row["repeat_from"]),
}
_DUE = fields.DueField()
_TASK_PLAIN = plain_names()
_TASK_SHOWN = tuple(f for f in TASK_FIELDS if f.api)


@cache
def _task_formats() -> dict:
    """TaskSerializer's own fields' to_representation, so dates and decimals come out alike."""
    fields = TaskSerializer().fields
    return {name: fields[name].to_representation for name in _TASK_PLAIN}


def _task_json(row: Mapping, links: Mapping[str, list[dict]], formats: dict) -> dict:
    """The JSON's names in the description's order (`portal/tasks/fields.py`)."""
    out = {}
    for field in _TASK_SHOWN:
        name = field.api[0]
        if field.name in _TASK_BUILT:
            out[name] = _TASK_BUILT[field.name](row, links)
        else:
            value = row[name]
            out[name] = None if value is None else formats[name](value)
    return out


def tasks_json(rows: Iterable[Mapping]) -> list[dict]:
    """Rows of `task_rows` as TaskSerializer(many=True).data, their links in one query."""
    rows = list(rows)
    links = task_links(row["id"] for row in rows)
    # The custom field definitions of the page's teams, in one query.
    definitions = fields_by_team(row["team_id"] for row in rows)
    for row in rows:
        links[row["id"]]["custom"] = definitions.get(row["team_id"], [])
    formats = _task_formats()
    return [_task_json(row, links[row["id"]], formats) for row in rows]


def _attribute(task: Task, path: str):
    value = task
    for name in path.split("__"):
        if value is None:
            return None
        value = getattr(value, name)
    return value


def task_json(task: Task, *, assignees: Sequence[User], tags: Sequence[Tag]) -> dict:
    """A task just written, as TaskSerializer shows it, from what the write already holds.

    `assignees` and `tags` in the models' order (as IdField and the preloads give them).
    """
    row = {name: _attribute(task, name) for name in TASK_ROW_FIELDS}
    definitions = getattr(task, "custom_definitions", None)
    if definitions is None:
        definitions = fields_by_team([task.team_id]).get(task.team_id, [])
    links = {
        "assignees": [{"id": u.pk, "username": u.username} for u in assignees],
        "tags": [{"id": t.pk, "name": t.name, "color": t.color} for t in tags],
        "custom": definitions,
    }
    return _task_json(row, links, _task_formats())


class ChoiceSerializer(serializers.Serializer):
    id = fields.TextField(
        required=False,
        max_length=20,
        help_text="Keep a choice's id to keep the tasks' values when renaming.",
    )
    label = fields.TextField(max_length=80)


@extend_schema_field(
    {
        "type": "string",
        "pattern": KEY_REGEX,
        "maxLength": 40,
        "not": {"enum": sorted(RESERVED_KEYS)},
        "description": "Fixed once the field exists; words the JSON look-ups use are refused.",
    }
)
class CustomFieldKeyField(fields.TextField):
    """A field's key; the service checks it (pattern, reserved words, one per team)."""


class CustomFieldSerializer(fields.ModelSerializer):
    """A team's custom field definition (`portal.tasks.custom_fields`)."""

    key = CustomFieldKeyField(max_length=40)

    choices = ChoiceSerializer(many=True, required=False)
    default = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = CustomField
        fields = (
            "id",
            "team",
            *DEFINITION_FIELDS,
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "team", "created_at", "updated_at")
        validators: list = []
