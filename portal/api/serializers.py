"""JSON shapes of the API. Serializers check the shape of input; rules live in the services."""

from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from dj_rest_auth.registration.serializers import RegisterSerializer as BaseRegisterSerializer
from dj_rest_auth.serializers import PasswordResetSerializer as BasePasswordResetSerializer
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.relations import MANY_RELATION_KWARGS

from portal.accounts.models import EMAIL_TAKEN, User
from portal.api import fields
from portal.core.validators import as_id
from portal.tasks import permissions as task_perms
from portal.tasks.keys import task_key
from portal.tasks.models import Comment, Tag, Task
from portal.tasks.selectors import TASK_ROW_FIELDS, tags_visible_to, task_links, tasks_visible_to
from portal.teams import permissions as perms
from portal.teams.models import Membership, Role, Team
from portal.teams.selectors import teams_visible_to, users_visible_to

USERNAME_TAKEN = "A user with that username already exists."
MAX_IDS = 100
TOO_MANY_IDS = "Send at most {limit} ids."


def _user(serializer) -> User | None:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- ids -------------------------------------------------------------------------------------
class IdListField(serializers.ManyRelatedField):
    """A list of ids resolved with one query, at most MAX_IDS of them; duplicates count once."""

    default_error_messages = {"too_many": TOO_MANY_IDS}

    def to_internal_value(self, data):
        if isinstance(data, str | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        data = list(data)
        if not self.allow_empty and not data:
            self.fail("empty")
        if len(data) > MAX_IDS:
            self.fail("too_many", limit=MAX_IDS)
        return self.child_relation.to_internal_values(data)


class IdField(serializers.PrimaryKeyRelatedField):
    """A primary key from the field's queryset; `many=True` gives an IdListField.

    Only whole numbers a database id can hold are looked up: anything else is "incorrect
    type" or "does not exist", never a query the database would overflow on.
    """

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return IdListField(**list_kwargs)

    def _id(self, data) -> int | None:
        # JSON numbers only: the schema says integer, so "12" is refused like any text.
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return as_id(data)

    def to_internal_value(self, data):
        pk = self._id(data)
        found = self.get_queryset().filter(pk=pk).first() if pk is not None else None
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found

    def to_internal_values(self, data: list) -> list:
        ids = [self._id(item) for item in data]
        wanted = list(dict.fromkeys(pk for pk in ids if pk is not None))
        found = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=wanted)} if wanted else {}
        for item, pk in zip(data, ids, strict=True):
            if pk not in found:
                self.fail("does_not_exist", pk_value=item)
        # In the queryset's order (people by username, tags by name): the order a task shows
        # them in, so a write's answer can list them without reading them back.
        return list(found.values())


# --- people ----------------------------------------------------------------------------------
class UserRefSerializer(fields.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "username")


class UserSerializer(fields.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "username", "first_name", "last_name", "email")
        read_only_fields = fields


class TeamRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class ProfileSerializer(fields.ModelSerializer):
    """The signed-in person (`/api/auth/user/`, `/api/users/me/`)."""

    teams = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "receive_daily_summary",
            "is_superuser",
            "teams",
        )
        read_only_fields = ("id", "username", "email", "is_superuser", "teams")

    @extend_schema_field(TeamRoleSerializer(many=True))
    def get_teams(self, user) -> list[dict]:
        rows = Membership.objects.filter(user=user).select_related("team").order_by("team__name")
        return [
            {"id": m.team_id, "key": m.team.key, "name": m.team.name, "role": m.role} for m in rows
        ]


class RegisterSerializer(BaseRegisterSerializer):
    """Sign-up through the API with the same password rules as every other door."""

    def validate_username(self, username):
        username = super().validate_username(username)
        if User.objects.filter(username__iexact=username).exists():
            raise serializers.ValidationError(USERNAME_TAKEN)
        return username

    def validate_email(self, email):
        email = super().validate_email(email)
        if email and User.objects.filter(email__iexact=email).exists():
            raise serializers.ValidationError(EMAIL_TAKEN)
        return email

    def validate_password1(self, password):
        # The rules that look at the person (not containing the username) run in validate().
        return password

    def validate(self, data):
        data = super().validate(data)
        candidate = User(username=data.get("username", ""), email=data.get("email", ""))
        try:
            password_validation.validate_password(data["password1"], candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password1": list(exc.messages)}) from exc
        return data

    def save(self, request):
        try:
            with transaction.atomic():
                return super().save(request)
        except IntegrityError:
            # Someone signed up with the same username or email at the same moment; the checks
            # above now see their row and give the usual message.
            checks = (("username", self.validate_username), ("email", self.validate_email))
            for name, check in checks:
                try:
                    check(self.validated_data.get(name, ""))
                except serializers.ValidationError as exc:
                    detail = exc.detail
                except DjangoValidationError as exc:
                    detail = exc.messages
                else:
                    continue
                raise serializers.ValidationError({name: detail}) from None
            raise


def password_reset_url(request, user, temp_key) -> str:
    """Reset links open the portal's own reset page (uid and key also work with the API)."""
    from allauth.account.utils import user_pk_to_url_str
    from allauth.utils import build_absolute_uri

    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": temp_key},
    )
    return build_absolute_uri(request, path)


class PasswordResetSerializer(BasePasswordResetSerializer):
    def get_email_options(self):
        return {"url_generator": password_reset_url}


# --- teams -----------------------------------------------------------------------------------
class TeamSerializer(fields.ModelSerializer):
    # The service upper-cases and checks keys (and fills the slug from the name).
    key = fields.TeamKeyField(max_length=10)
    my_role = serializers.SerializerMethodField(
        help_text="Your role in the team, or null (administrators who are not members)."
    )

    class Meta:
        model = Team
        fields = ("id", "name", "slug", "key", "description", "my_role", "created_at", "updated_at")
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


# --- tags, comments, history -----------------------------------------------------------------
class TagSerializer(fields.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("id", "name", "color")
        extra_kwargs = {"color": {"required": False}}


class CommentSerializer(fields.ModelSerializer):
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ("id", "task", "author", "body", "created_at", "updated_at")
        read_only_fields = ("id", "task", "author", "created_at", "updated_at")


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


# --- tasks -----------------------------------------------------------------------------------
class TaskSerializer(fields.ModelSerializer):
    key = serializers.CharField(read_only=True)
    team = IdField(queryset=Team.objects.none())
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
    metadata = fields.ObjectField(
        required=False, help_text='A JSON object of your own, such as {"source": "email"}.'
    )

    class Meta:
        model = Task
        fields = (
            "id",
            "key",
            "team",
            "title",
            "description",
            "status",
            "priority",
            "due_date",
            "estimated_hours",
            "actual_hours",
            "created_by",
            "assignees",
            "assignee_ids",
            "tags",
            "tag_ids",
            "parent",
            "metadata",
            "is_archived",
            "completed_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("is_archived", "completed_at", "created_at", "updated_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        # Only a write reads ids: a GET builds none of these querysets (they cost time per call).
        if user is None or "data" not in kwargs:
            return
        # Ids outside what the caller may see are "invalid" rather than revealing they exist.
        self.fields["team"].queryset = teams_visible_to(user)
        self.fields["parent"].queryset = tasks_visible_to(user).prefetch_related(None)
        self.fields["assignee_ids"].child_relation.queryset = users_visible_to(user)
        self.fields["tag_ids"].child_relation.queryset = tags_visible_to(user)

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
            self.fields["assignee_ids"].child_relation.queryset = users_visible_to(user)


# --- tasks, read lean ------------------------------------------------------------------------
# What TaskSerializer shows, built from plain rows (`task_rows`) and a page's links
# (`task_links`) instead of model instances and a serializer per row: the same JSON, key for
# key (tests/api/test_task_json.py compares them), at a fraction of the cost per row.
_TASK_SCALARS = (
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "estimated_hours",
    "actual_hours",
)
_TASK_TAIL = ("metadata", "is_archived", "completed_at", "created_at", "updated_at")


@cache
def _task_formats() -> dict:
    """TaskSerializer's own fields' to_representation, so dates and decimals come out alike."""
    fields = TaskSerializer().fields
    return {name: fields[name].to_representation for name in (*_TASK_SCALARS, *_TASK_TAIL)}


def _task_json(row: Mapping, links: Mapping[str, list[dict]], formats: dict) -> dict:
    out = {
        "id": row["id"],
        "key": task_key(row["team__key"], row["number"]) if row["team_id"] else "",
        "team": row["team_id"],
    }
    for name in _TASK_SCALARS:
        value = row[name]
        out[name] = None if value is None else formats[name](value)
    created_by = row["created_by_id"]
    out["created_by"] = (
        None if created_by is None else {"id": created_by, "username": row["created_by__username"]}
    )
    out["assignees"] = links["assignees"]
    out["tags"] = links["tags"]
    out["parent"] = row["parent_id"]
    for name in _TASK_TAIL:
        value = row[name]
        out[name] = None if value is None else formats[name](value)
    return out


def tasks_json(rows: Iterable[Mapping]) -> list[dict]:
    """Rows of `task_rows` as TaskSerializer(many=True).data, their links in one query."""
    rows = list(rows)
    links = task_links(row["id"] for row in rows)
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
    links = {
        "assignees": [{"id": u.pk, "username": u.username} for u in assignees],
        "tags": [{"id": t.pk, "name": t.name, "color": t.color} for t in tags],
    }
    return _task_json(row, links, _task_formats())
