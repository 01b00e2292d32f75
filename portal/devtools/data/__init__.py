"""The benchmark's scratch data set: built in bulk, removed with a few DELETE statements.

The shape scales from the one measured in the performance issue at 100,000 tasks: 20 teams,
500 people, 2 assignees, 1.5 tags and 0.5 comments per task on average, varied statuses,
priorities and dates (some overdue, some due today, some done or created yesterday, for the
daily summary), and words that make `search=deploy` hit about 18% of the tasks.

Everything the set holds is recognisable by its prefix (people `bench-...`, teams with slugs
`bench-...`, tags `bench-...`), so a later run with --force can remove an earlier kept set, and
the set is removed without touching anything else in the database.

Its shape and words in `shape`, the bulk build in `build`, checking, sharing and removing it
in `upkeep`.
"""

from portal.devtools.data.build import build
from portal.devtools.data.shape import (
    BATCH,
    COMMENTS,
    DEPLOY_SENTENCE,
    DEPLOY_SHARE,
    DEPLOY_TITLES,
    OBJECTS,
    PEOPLE_AT_SCALE,
    PREFIX,
    PRIORITIES,
    QUALIFIERS,
    RUNNER,
    SCALE,
    SENTENCES,
    STATUSES,
    TAG_NAMES,
    TEAM_NAMES,
    TEAMS,
    VERBS,
    DataSet,
    Shape,
)
from portal.devtools.data.upkeep import (
    analyze,
    counts,
    day_start,
    exists,
    holds_data,
    remove,
    share_password,
)

__all__ = [
    "BATCH",
    "COMMENTS",
    "DEPLOY_SENTENCE",
    "DEPLOY_SHARE",
    "DEPLOY_TITLES",
    "OBJECTS",
    "PEOPLE_AT_SCALE",
    "PREFIX",
    "PRIORITIES",
    "QUALIFIERS",
    "RUNNER",
    "SCALE",
    "SENTENCES",
    "STATUSES",
    "TAG_NAMES",
    "TEAMS",
    "TEAM_NAMES",
    "VERBS",
    "DataSet",
    "Shape",
    "analyze",
    "build",
    "counts",
    "day_start",
    "exists",
    "holds_data",
    "remove",
    "share_password",
]
