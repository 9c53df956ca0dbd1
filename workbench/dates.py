"""Days and times as users read them: in the configured time zone (WORKBENCH_TIMEZONE).

Stored times are UTC (workbench.db.UTCDateTime); a day such as "in force since" or "the
consultation opened" is the day in the app's zone, so a standard takes effect at midnight in
Beijing, not in London.
"""

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def local_zone() -> ZoneInfo:
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def today() -> date:
    return datetime.now(local_zone()).date()


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 for JSON, None for None."""
    return value.isoformat() if value is not None else None


def seconds_until(moment: datetime) -> int:
    """Whole seconds from now until `moment` (aware), at least one: what a Retry-After header says."""
    return max(1, math.ceil((moment - datetime.now(UTC)).total_seconds()))
