"""`{% load due %}`: a task's due date as every page words it (portal/tasks/due.py).

`{{ task|due }}` is "Dec 24" for a day or "Dec 24, 17:00" for a moment; `{{ task|due_state }}`
is the same, or "Overdue (due Dec 24)" for a task marked overdue (`.with_overdue()`).
"""

from django import template

from portal.tasks.due import due_text, due_words

register = template.Library()


@register.filter
def due(task) -> str:
    if task.due_date is None:
        return ""
    return due_text(task.due_date, task.due_day)


@register.filter
def due_state(task) -> str:
    return due_words(task.due_date, task.due_day, bool(getattr(task, "is_overdue", False)))
