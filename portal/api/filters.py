"""Query-string filters of the task list; matching rules come from the task selectors."""

import django_filters as filters
from django import forms
from django.db.models import Case, IntegerField, Value, When
from rest_framework.exceptions import ValidationError

from portal.tasks.models import PRIORITY_RANK, Priority, Status, Task
from portal.tasks.selectors import overdue, search_tasks

ASSIGNEE_INVALID = 'Enter a user id or "me".'
PARENT_INVALID = 'Enter a task id or "none".'
ORDERING_FIELDS = ("due_date", "priority", "created_at", "updated_at", "title")


class IntFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class ChoiceInFilter(filters.BaseInFilter, filters.ChoiceFilter):
    """One or several choices, comma-separated: `?status=todo,blocked`."""


class TaskOrderingFilter(filters.OrderingFilter):
    """Orders priority by rank (urgent > high > medium > low), not alphabetically."""

    def filter(self, qs, value):
        if not value:
            return qs
        terms = []
        for term in value:
            desc = term.startswith("-")
            name = term.lstrip("-")
            if name == "priority":
                qs = qs.annotate(
                    priority_rank=Case(
                        *(When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()),
                        output_field=IntegerField(),
                    )
                )
                name = "priority_rank"
            terms.append(f"-{name}" if desc else name)
        # A unique last key keeps pages stable when values tie.
        return qs.order_by(*terms, "-id")


class TaskFilter(filters.FilterSet):
    status = ChoiceInFilter(choices=Status.choices, help_text="One or several, comma-separated.")
    priority = ChoiceInFilter(
        choices=Priority.choices, help_text="One or several, comma-separated."
    )
    team = IntFilter(field_name="team_id")
    assignee = filters.CharFilter(method="filter_assignee", help_text='A user id or "me".')
    created_by = IntFilter(field_name="created_by_id")
    tag = filters.CharFilter(field_name="tags__name", lookup_expr="iexact", help_text="Tag name.")
    due_before = filters.IsoDateTimeFilter(field_name="due_date", lookup_expr="lt")
    due_after = filters.IsoDateTimeFilter(field_name="due_date", lookup_expr="gte")
    overdue = filters.BooleanFilter(
        method="filter_overdue", help_text="Past due, not done, not archived."
    )
    is_archived = filters.BooleanFilter(help_text="Archived tasks are left out unless asked for.")
    parent = filters.CharFilter(method="filter_parent", help_text='A task id or "none".')
    search = filters.CharFilter(method="filter_search", help_text="Key, title or description.")
    ordering = TaskOrderingFilter(
        fields=ORDERING_FIELDS, help_text="One of the fields; prefix with - for descending."
    )

    class Meta:
        model = Task
        fields: list[str] = []

    @property
    def qs(self):
        qs = super().qs
        if self.form.cleaned_data.get("is_archived") is None:
            qs = qs.filter(is_archived=False)
        return qs

    def filter_assignee(self, qs, name, value):
        if value == "me":
            return qs.filter(assignees=self.request.user.pk)
        if not (value.isascii() and value.isdigit()):
            raise ValidationError({"assignee": [ASSIGNEE_INVALID]})
        return qs.filter(assignees=int(value))

    def filter_parent(self, qs, name, value):
        if value.lower() == "none":
            return qs.filter(parent__isnull=True)
        if not (value.isascii() and value.isdigit()):
            raise ValidationError({"parent": [PARENT_INVALID]})
        return qs.filter(parent_id=int(value))

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        if value:
            return overdue(qs)
        return qs.exclude(pk__in=overdue(Task.objects.all()).values("pk"))

    def filter_search(self, qs, name, value):
        return search_tasks(qs, value)
