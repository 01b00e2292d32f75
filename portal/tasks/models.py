from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models.functions import Lower

from portal.accounts.models import NOBODY
from portal.core.history import Records
from portal.core.models import TimeStampedModel
from portal.tasks.choices import Priority, Status
from portal.tasks.keys import task_key
from portal.tasks.querysets import TaskQuerySet, active_q, open_q
from portal.tasks.repeat import FROM_CHOICES, FROM_DUE, RULE_MAX
from portal.teams.models import Team

COLOR_INVALID = "Enter a colour as #RRGGBB, for example #1E88E5."
TAG_TAKEN = "A tag with this name already exists."
PARENT_OTHER_TEAM = "The parent task must belong to the same team."
PARENT_CYCLE = "A task cannot be its own ancestor (this parent would create a cycle)."
METADATA_NOT_OBJECT = 'Metadata must be a JSON object, such as {"source": "email"}.'
TITLE_BLANK = "The title cannot be empty."
HOURS_MAX = Decimal("9999.99")
# Hours in people's words, at every door that builds its fields from the model's.
HOURS_MESSAGES = {
    "invalid": "Enter a number of hours, such as 1.5.",
    "min_value": "Hours cannot be negative.",
    "max_value": f"Enter at most {HOURS_MAX} hours.",
    "max_digits": f"Enter at most {HOURS_MAX} hours.",
    "max_whole_digits": f"Enter at most {HOURS_MAX} hours.",
    "max_decimal_places": "Enter hours with at most two decimals, such as 1.25.",
}


class Tag(TimeStampedModel):
    name = models.CharField(max_length=50)
    color = models.CharField(
        "colour",
        max_length=7,
        default="#607D8B",
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", COLOR_INVALID)],
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="tasks_tag_name_ci_unique", violation_error_message=TAG_TAKEN
            )
        ]

    def __str__(self) -> str:
        return self.name


def validate_metadata(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError(METADATA_NOT_OBJECT, code="metadata_not_object")


def _hours_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(HOURS_MAX)],
        error_messages=HOURS_MESSAGES,
    )


# Kept at module level so services can write one record per change (portal.core.history).
TASK_HISTORY = Records(m2m_fields=["assignees", "tags"], excluded_fields=["updated_at"])
COMMENT_HISTORY = Records(excluded_fields=["updated_at"])


class Task(TimeStampedModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tasks")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200, validators=[MinLengthValidator(1, TITLE_BLANK)])
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TODO)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    # When the task is due: the moment it becomes overdue. Given as a day without a time, it is
    # the end of that day in the team's time zone and `due_day` keeps the day (portal/tasks/due.py).
    due_date = models.DateTimeField("due", null=True, blank=True)
    due_day = models.DateField("due day", null=True, blank=True, editable=False)
    estimated_hours = _hours_field("estimated hours")
    actual_hours = _hours_field("actual hours")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_tasks",
        editable=False,
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assigned_tasks", blank=True
    )
    tags = models.ManyToManyField(Tag, related_name="tasks", blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="subtasks"
    )
    metadata = models.JSONField(default=dict, blank=True, validators=[validate_metadata])
    # Values of the team's custom fields, by field key (portal/tasks/custom_fields.py checks
    # them); a GIN index serves the filters on PostgreSQL (migration 0007).
    custom_fields = models.JSONField("custom fields", default=dict, blank=True)
    is_archived = models.BooleanField("archived", default=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Repeating (portal/tasks/repeat.py): the rule, what it counts from, the series' first due
    # day, this occurrence's number, and the occurrence this one follows (one next at most).
    # (Editable, so that history shows their changes; the doors write them through `repeat`.)
    repeat_rule = models.CharField("repeats", max_length=RULE_MAX, blank=True)
    repeat_from = models.CharField(
        "repeats counted", max_length=4, choices=FROM_CHOICES, default=FROM_DUE
    )
    repeat_start = models.DateField(null=True, blank=True, editable=False)
    repeat_number = models.PositiveIntegerField(default=1, editable=False)
    repeat_previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeat_next",
        editable=False,
    )

    history = TASK_HISTORY
    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "task"
        verbose_name_plural = "tasks"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "number"], name="tasks_task_team_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(estimated_hours__gte=0) | models.Q(estimated_hours=None),
                name="tasks_task_estimated_hours_gte_0",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_hours__gte=0) | models.Q(actual_hours=None),
                name="tasks_task_actual_hours_gte_0",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"], name="tasks_task_team_status"),
            models.Index(fields=["due_date"], name="tasks_task_due_date"),
            models.Index(fields=["is_archived", "archived_at"], name="tasks_task_archived"),
            models.Index(fields=["status", "completed_at"], name="tasks_task_status_completed"),
            models.Index(fields=["-updated_at"], name="tasks_task_updated_desc"),
            # Lists hide archived tasks: their capped count reads this index alone (an
            # index-only scan) instead of the table (docs/benchmarks.md).
            models.Index(fields=["team"], condition=active_q(), name="tasks_task_team_active"),
            # The team pages count and pick each team's open tasks: with every column those
            # queries name, they are index-only scans of the open tasks (about three in four).
            models.Index(
                fields=["team", "status", "due_date", "priority", "is_archived", "id"],
                condition=open_q(),
                name="tasks_task_open_by_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        """Human key such as OPS-42 (team key + per-team number)."""
        return task_key(self.team.key, self.number) if self.team_id else ""

    def clean(self) -> None:
        super().clean()
        # The field validator does not run for empty values such as None.
        if not isinstance(self.metadata, dict):
            raise ValidationError({"metadata": METADATA_NOT_OBJECT})
        if self.parent_id:
            if self.parent.team_id != self.team_id:
                raise ValidationError({"parent": PARENT_OTHER_TEAM})
            seen = {self.pk} if self.pk else set()
            node = self.parent
            while node is not None:
                if node.pk in seen:
                    raise ValidationError({"parent": PARENT_CYCLE})
                seen.add(node.pk)
                node = node.parent


class FieldType(models.TextChoices):
    TEXT = "text", "Text"
    LONG_TEXT = "long_text", "Long text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    CHOICE = "choice", "Single choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    PERSON = "person", "Person from the team"
    CHECKBOX = "checkbox", "Checkbox"
    URL = "url", "URL"


class CustomField(TimeStampedModel):
    """A field a team adds to its tasks; the values live in `Task.custom_fields` by `key`.

    Choices are `[{"id": "c1", "label": "S1"}, ...]`: tasks store the id, so renaming or
    reordering a choice keeps the values. The key never changes once the field exists.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="custom_fields")
    name = models.CharField(max_length=80)
    key = models.SlugField(
        max_length=40,
        help_text="Lower-case letters, digits and underscores, starting with a letter; fixed "
        "once the field exists (filters, sheets and the API name the field by it).",
    )
    type = models.CharField(max_length=20, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(default=False)
    default = models.JSONField(null=True, blank=True)
    help_text = models.CharField(max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)
    on_card = models.BooleanField("shown on board card", default=False)
    is_archived = models.BooleanField("archived", default=False)
    decimals = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(6)], help_text="Numbers only."
    )
    unit = models.CharField(max_length=20, blank=True, help_text="Numbers only, such as h or €.")
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["team_id", "order", "id"]
        verbose_name = "custom field"
        verbose_name_plural = "custom fields"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "key"],
                name="tasks_customfield_team_key_unique",
                violation_error_message="This team already has a field with this key.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        from portal.tasks.custom_fields import clean_definition

        clean_definition(self)


# Comments are Markdown, rendered on every view of the task: long enough for any note, short
# enough that no text can make a page slow (docs/decisions.md).
COMMENT_MAX_LENGTH = 10_000
COMMENT_TOO_LONG = f"A comment can be at most {COMMENT_MAX_LENGTH:,} characters long."


class Comment(TimeStampedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="comments",
        editable=False,
    )
    body = models.TextField(
        validators=[
            MinLengthValidator(1, "The comment cannot be empty."),
            MaxLengthValidator(COMMENT_MAX_LENGTH, COMMENT_TOO_LONG),
        ]
    )
    # When its author last changed the text (None: never); the "edited" marker shows it.
    edited_at = models.DateTimeField("edited", null=True, blank=True, editable=False)

    history = COMMENT_HISTORY

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["task", "created_at"], name="tasks_comment_task_created")]

    def __str__(self) -> str:
        # People know tasks by their key (OPS-12), not by the database id.
        author = self.author.get_username() if self.author_id else NOBODY
        return f"Comment by {author} on {self.task.key}"
