"""JSON shapes of the API. Serializers check the shape of input; rules live in the services.

One module per subject (`ids`, `people`, `teams`, `tasks`); import them from
`portal.api.serializers` (the settings name them there).
"""

from portal.api.serializers.ids import MAX_IDS, TOO_MANY_IDS, IdField, IdListField
from portal.api.serializers.people import (
    USERNAME_TAKEN,
    PasswordResetSerializer,
    ProfileSerializer,
    RegisterSerializer,
    TeamRoleSerializer,
    UserRefSerializer,
    UserSerializer,
    password_reset_url,
)
from portal.api.serializers.tasks import (
    AssignSerializer,
    ChangeSerializer,
    CommentSerializer,
    CustomFieldSerializer,
    HistoryRecordSerializer,
    TagSerializer,
    TaskSerializer,
    comment_links,
    task_json,
    tasks_json,
)
from portal.api.serializers.teams import (
    MembershipCreateSerializer,
    MembershipRoleSerializer,
    MembershipSerializer,
    TeamSerializer,
)

__all__ = [
    "MAX_IDS",
    "TOO_MANY_IDS",
    "USERNAME_TAKEN",
    "AssignSerializer",
    "ChangeSerializer",
    "CommentSerializer",
    "CustomFieldSerializer",
    "HistoryRecordSerializer",
    "IdField",
    "IdListField",
    "MembershipCreateSerializer",
    "MembershipRoleSerializer",
    "MembershipSerializer",
    "PasswordResetSerializer",
    "ProfileSerializer",
    "RegisterSerializer",
    "TagSerializer",
    "TaskSerializer",
    "TeamRoleSerializer",
    "TeamSerializer",
    "UserRefSerializer",
    "UserSerializer",
    "comment_links",
    "password_reset_url",
    "task_json",
    "tasks_json",
]
