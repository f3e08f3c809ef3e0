"""Time helpers: store UTC, show Europe/Stockholm, dates are calendar dates."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_local() -> date:
    """Today's calendar date in Sweden (what users mean by "today")."""
    return now_utc().astimezone(STOCKHOLM).date()


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(STOCKHOLM)


def format_datetime(value: datetime | None) -> str:
    local = to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""
