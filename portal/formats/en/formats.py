"""Dates that Django renders itself (third-party admin pages, history) in the portal's format.

The portal's own pages drop the year when it is the current one (portal.core.dates); a static
format cannot, so here the year is always written, in the same order and style.
"""

from portal.core.dates import DAY_WITH_YEAR, MOMENT_WITH_YEAR

DATE_FORMAT = DAY_WITH_YEAR
DATETIME_FORMAT = MOMENT_WITH_YEAR
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DAY_WITH_YEAR
SHORT_DATETIME_FORMAT = MOMENT_WITH_YEAR
