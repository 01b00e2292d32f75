"""The one username rule, for every door (sign-up page, API registration, admin, imports,
services, `createsuperuser`) and for signing in.

- A username is stored NFKC-normalised, as typed otherwise (case kept): full-width
  "olivia" (U+FF4F...) is stored as "olivia", "Olivia" stays "Olivia".
- Two usernames are the same name when their keys are equal: NFKC, case-folded, with the
  dot above i/j dropped (so "sara" and "sara" with a long s (U+017F), "OLIVIA" with dotted
  capitals (U+0130) and "olivia", full-width "ADMIN" and "admin" are one name). The comparison runs here rather than in SQL: SQLite's lower() and LIKE fold
  ASCII only, and neither database case-folds the way Unicode does.
- No "@": a login containing "@" is an email address and only ever matches the email field;
  anything else only ever matches a username (portal.accounts.backends).

The database's case-insensitive unique constraint (accounts_user_username_ci_unique) stays
as the last guard against two sign-ups at the same moment.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

USERNAME_TAKEN = "A user with that username already exists."
USERNAME_HAS_AT = (
    "A username may not contain @. People sign in with their email address or their username."
)
USERNAME_HELP = (
    "Required. 150 characters or fewer. Letters, digits and . + - _ only. Names that differ "
    "only in case or in look-alike characters count as the same name."
)

_DOT_ABOVE_ON_SOFT_DOTTED = re.compile(r"(?<=[ij])\u0307")
_characters = UnicodeUsernameValidator()


def normalize_username(name: str) -> str:
    """The form a username is stored in: NFKC, surrounding spaces removed, case as typed."""
    return unicodedata.normalize("NFKC", name or "").strip()


def username_key(name: str) -> str:
    """What two usernames must not share: NFKC, case-folded, no dot above i or j.

    Python folds the dotted capital I (U+0130) to "i" + U+0307, a dot nobody sees on an "i"; PostgreSQL's lower()
    makes it a plain "i", so the dot is dropped to call the same names the same.
    """
    folded = unicodedata.normalize("NFKC", normalize_username(name).casefold())
    return _DOT_ABOVE_ON_SOFT_DOTTED.sub("", folded)


def validate_username(name: str) -> None:
    """The characters a username may have (the model field's validator; allauth uses it too)."""
    if "@" in normalize_username(name):
        raise ValidationError(USERNAME_HAS_AT, code="username_has_at")
    _characters(name)


def _user_model():
    return apps.get_model("accounts", "User")


def _usernames() -> Iterable[tuple[int, str]]:
    return _user_model()._default_manager.values_list("pk", "username").iterator(chunk_size=2000)


def usernames_like(name: str, *, exclude_pk: int | None = None) -> list[str]:
    """Existing usernames that are the same name as `name` under the rule."""
    key = username_key(name)
    return [
        username
        for pk, username in _usernames()
        if pk != exclude_pk and username_key(username) == key
    ]


def username_ensure_free(name: str, *, exclude_pk: int | None = None) -> None:
    if usernames_like(name, exclude_pk=exclude_pk):
        raise ValidationError(USERNAME_TAKEN, code="unique")


def username_clean(name: str, *, exclude_pk: int | None = None) -> str:
    """The whole rule for a new or changed username: returns the form to store."""
    name = normalize_username(name)
    validate_username(name)
    username_ensure_free(name, exclude_pk=exclude_pk)
    return name


def user_by_username(name: str):
    """The one person a login string names as a username, or None.

    The name as stored wins; otherwise the one username with the same key. Names that are
    already ambiguous (look-alikes from before the rule; see the system check) only match
    exactly.
    """
    if not name or "@" in name:
        return None
    exact = _user_model()._default_manager.filter(username=normalize_username(name)).first()
    if exact is not None:
        return exact
    return users_by_usernames([name]).get(username_key(name))


def users_by_usernames(names: Iterable[str]) -> dict:
    """{key: person} for the names that name one person (one pass over the usernames)."""
    typed = {username_key(name): normalize_username(name) for name in names if name}
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, username in _usernames():
        key = username_key(username)
        if key in typed:
            found[key].append((pk, username))
    chosen = {}
    for key, rows in found.items():
        exact = [pk for pk, username in rows if username == typed[key]]
        if len(rows) == 1 or len(exact) == 1:
            chosen[key] = exact[0] if exact else rows[0][0]
    people = _user_model()._default_manager.in_bulk(chosen.values())
    return {key: people[pk] for key, pk in chosen.items()}


def lookalike_groups() -> list[list[str]]:
    """Groups of existing usernames that are one name under the rule (sorted)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for _pk, username in _usernames():
        groups[username_key(username)].append(username)
    return sorted(sorted(names) for names in groups.values() if len(names) > 1)


def usernames_breaking_the_rule() -> list[str]:
    """Existing usernames with an "@" or not in their stored form (from before the rule)."""
    return sorted(
        username
        for _pk, username in _usernames()
        if "@" in username or username != normalize_username(username)
    )
