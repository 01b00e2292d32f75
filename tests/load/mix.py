"""What the load test's users do, by request name, without importing locust.

The locustfile sends requests under these names (so locust's statistics group them by
endpoint), the runner prints them in this order, and the CI test checks that each one was
exercised. Keeping them here lets the test read them without loading locust, whose gevent
monkey-patching has no place in the pytest process.
"""

from __future__ import annotations

import re

# Who signs in by default, and with which password: the demo's leads and members
# (`manage.py demo`), who may all create and comment.
DEMO_PEOPLE = "olivia,marcus,priya,dana,leo,ines,james,mia,ava"
DEMO_PASSWORD = "Demo-pass-2026!"
_RANGE = re.compile(r"^(?P<stem>[^{}]*)\{(?P<first>\d+)-(?P<last>\d+)\}(?P<tail>[^{}]*)$")


def people(spec: str) -> list[str]:
    """`a,b,user{1-3}` -> ["a", "b", "user1", "user2", "user3"]."""
    names = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        match = _RANGE.match(part)
        if match is None:
            names.append(part)
            continue
        first, last = int(match["first"]), int(match["last"])
        names += [f"{match['stem']}{n}{match['tail']}" for n in range(first, last + 1)]
    return names


# Sign-in and what a client reads once to know where it may write.
LOGIN = "POST /api/auth/login/"
TEAMS = "GET /api/teams/"
MEMBERS = "GET /api/teams/{id}/members/"
TAGS = "GET /api/tags/"
PAGE_LOGIN_FORM = "GET /accounts/login/"
PAGE_LOGIN = "POST /accounts/login/"

# The mix itself.
LIST = "GET /api/tasks/?page_size=N"
FILTER_STATUS = "GET /api/tasks/?status="
FILTER_PRIORITY = "GET /api/tasks/?priority="
FILTER_ASSIGNEE_ME = "GET /api/tasks/?assignee=me"
FILTER_OVERDUE = "GET /api/tasks/?overdue=true"
SEARCH_WORD = "GET /api/tasks/?search=<word>"
SEARCH_KEY = "GET /api/tasks/?search=<KEY-N>"
DETAIL = "GET /api/tasks/{id}/"
CREATE = "POST /api/tasks/"
COMMENT = "POST /api/tasks/{id}/comments/"
BOARD = "GET /teams/<slug>/ (board)"
REFRESH = "POST /api/auth/token/refresh/"

SETUP_NAMES = (LOGIN, TEAMS, MEMBERS, TAGS, PAGE_LOGIN_FORM, PAGE_LOGIN)
FILTER_NAMES = (FILTER_STATUS, FILTER_PRIORITY, FILTER_ASSIGNEE_ME, FILTER_OVERDUE)
SEARCH_NAMES = (SEARCH_WORD, SEARCH_KEY)

# Relative weights of the actions a user picks between (after doing each once). A filter or
# search action takes the next variant in turn, so every variant runs.
WEIGHTS = {
    "list": 8,
    "filter": 8,
    "search": 4,
    "detail": 8,
    "create": 2,
    "comment": 3,
    "board": 3,
    "refresh": 1,
}

# Every request name the mix sends, in the order the runner prints them.
ALL_NAMES = (
    *SETUP_NAMES,
    LIST,
    *FILTER_NAMES,
    *SEARCH_NAMES,
    DETAIL,
    CREATE,
    COMMENT,
    BOARD,
    REFRESH,
)

# The request names each action sends (besides the set-up ones every user sends).
ACTION_NAMES = {
    "list": (LIST,),
    "filter": FILTER_NAMES,
    "search": SEARCH_NAMES,
    "detail": (DETAIL,),
    "create": (CREATE,),
    "comment": (COMMENT,),
    "board": (PAGE_LOGIN_FORM, PAGE_LOGIN, BOARD),
    "refresh": (REFRESH,),
}
API_SETUP_NAMES = (LOGIN, TEAMS, MEMBERS, TAGS)


def weights(spec: str | None) -> dict[str, int]:
    """`LOAD_MIX`: "list=1" runs lists only; "list=8,detail=8" two actions; empty: all.

    Raises ValueError on an unknown action or a weight that is not a whole number above 0.
    """
    if not spec or not spec.strip():
        return dict(WEIGHTS)
    chosen = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        action, _, weight = part.partition("=")
        action = action.strip()
        if action not in WEIGHTS:
            raise ValueError(f"unknown action {action!r} in LOAD_MIX (one of {', '.join(WEIGHTS)})")
        if not weight.strip().isdigit() or int(weight) < 1:
            raise ValueError(f"LOAD_MIX wants action=weight with a weight of 1 or more: {part!r}")
        chosen[action] = int(weight)
    return chosen


def expected_names(chosen: dict[str, int]) -> list[str]:
    """The request names a run of these actions sends, in the printing order."""
    names = set(API_SETUP_NAMES)
    for action in chosen:
        names.update(ACTION_NAMES[action])
    return [name for name in ALL_NAMES if name in names]
