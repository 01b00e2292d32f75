"""The tags a person may see, with how many of their tasks carry each."""

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Lower

from portal.tasks.models import Tag, Task
from portal.teams.permissions import in_my_teams, is_superuser, team_ids_for


def tags_by_name(names: Iterable[str]) -> dict[str, Tag]:
    """Tags by lower-cased name (tag names are shared by all teams, so all are looked at)."""
    wanted = {name.lower() for name in names}
    if not wanted:
        return {}
    found = Tag.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=wanted)
    return {tag.name.lower(): tag for tag in found}


def tags_seen_by(*, fetched_by, names: Iterable[str]) -> tuple[dict[str, Tag], set[str]]:
    """The named tags `fetched_by` may see (by lower-cased name), and the names other tags take.

    Imports see tags as the API does: a tag only other teams use cannot be attached by its
    name, and its name cannot be given to a new tag either (docs/decisions.md).
    """
    found = tags_by_name(names)
    ids = [tag.pk for tag in found.values()]
    visible = set(
        tags_visible_to(fetched_by=fetched_by).filter(pk__in=ids).values_list("pk", flat=True)
    )
    seen = {key: tag for key, tag in found.items() if tag.pk in visible}
    return seen, set(found) - set(seen)


def tags_visible_to(*, fetched_by) -> QuerySet[Tag]:
    """Tags used by the user's teams plus tags not used anywhere yet (all for superusers)."""
    qs = Tag.objects.all()
    if is_superuser(fetched_by):
        return qs
    used_here = Task.objects.filter(tags=OuterRef("pk"), team_id__in=team_ids_for(fetched_by))
    used_anywhere = Task.objects.filter(tags=OuterRef("pk"))
    return qs.filter(Exists(used_here) | ~Exists(used_anywhere))


def tags_with_task_counts(*, fetched_by) -> QuerySet[Tag]:
    """Visible tags, each with how many of the user's visible tasks carry it."""
    in_scope = in_my_teams(fetched_by, "tasks__team_id")
    return tags_visible_to(fetched_by=fetched_by).annotate(
        visible_tasks=Count("tasks", filter=in_scope, distinct=True)
    )
