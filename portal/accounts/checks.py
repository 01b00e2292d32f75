"""A system check naming usernames that break the username rule (from before it existed).

Names that are one name under the rule ("sara", and "sara" with a long s) or that contain "@" still sign in
as they are stored, but an ambiguous login only matches exactly; an administrator renames all
but one of each group. `manage.py check` (and `runserver`, `migrate`) report them as warnings.
"""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from portal.accounts.usernames import lookalike_groups, usernames_breaking_the_rule

LOOKALIKES = "Usernames {names} are one name under the username rule."
LOOKALIKES_HINT = "Rename all but one of them (admin, People), so each person has their own name."
AGAINST_THE_RULE = "Username {name!r} contains @ or is not stored in its normal form (NFKC)."
AGAINST_THE_RULE_HINT = (
    "Rename it: a login with @ is only ever looked up as an email address, and names are "
    "stored NFKC-normalised."
)


@register(Tags.database)
def check_usernames(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    # A database check: `migrate` and `manage.py check --database default` run it; checks
    # without a database (`check --deploy` on a build machine) do not.
    if not databases:
        return []
    try:
        groups = lookalike_groups()
        odd = usernames_breaking_the_rule()
    except DatabaseError:
        # No database yet (before `migrate`) or none reachable (`check --deploy` in CI).
        return []
    warnings = [
        Warning(
            LOOKALIKES.format(names=", ".join(repr(name) for name in names)),
            hint=LOOKALIKES_HINT,
            id="accounts.W001",
        )
        for names in groups
    ]
    warnings += [
        Warning(AGAINST_THE_RULE.format(name=name), hint=AGAINST_THE_RULE_HINT, id="accounts.W002")
        for name in odd
    ]
    return warnings
