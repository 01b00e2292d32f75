"""Create, rename and delete tags."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from portal.accounts.models import User
from portal.core.concurrency import lock_row
from portal.core.models import save_checked
from portal.tasks import permissions as task_perms
from portal.tasks.models import Tag
from portal.teams import permissions as perms


@transaction.atomic
def tag_create(*, actor: User, name: str, color: str | None = None) -> Tag:
    if not task_perms.can_create_tag(actor):
        raise PermissionDenied(task_perms.DENIED_TAG)
    tag = Tag(name=(name or "").strip())
    if color:
        tag.color = color
    tag.full_clean()
    save_checked(tag)  # a concurrent tag of the same name is a ValidationError too
    return tag


@transaction.atomic
def tag_update(*, actor: User, tag: Tag, **changes: Any) -> Tag:
    if not task_perms.can_change_tag(actor):
        raise PermissionDenied(perms.DENIED_SUPERUSER)
    lock_row(tag)
    for name in ("name", "color"):
        if name in changes:
            setattr(tag, name, changes[name])
    tag.full_clean()
    save_checked(tag)
    return tag


@transaction.atomic
def tag_delete(*, actor: User, tag: Tag) -> None:
    if not task_perms.can_change_tag(actor):
        raise PermissionDenied(perms.DENIED_SUPERUSER)
    tag.delete()


@transaction.atomic
def tags_named(*, actor: User, names: list[str]) -> list[Tag]:
    """The tags called `names` (any case), creating those that do not exist yet.

    Creating needs the right to create tags (`can_create_tag`); finding existing ones does not.
    """
    wanted = {name.strip().lower(): name.strip() for name in names if name.strip()}
    if not wanted:
        return []
    query = Q()
    for name in wanted.values():
        query |= Q(name__iexact=name)
    found = {tag.name.lower(): tag for tag in Tag.objects.filter(query)}
    return [
        found[key] if key in found else tag_create(actor=actor, name=name)
        for key, name in wanted.items()
    ]
