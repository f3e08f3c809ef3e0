"""Local wall-clock times in Europe/Stockholm and series dates."""

import calendar
from datetime import UTC, date, datetime, time, timedelta

from tracker.core.errors import ValidationError
from tracker.core.timeutil import STOCKHOLM
from tracker.meetings.models import RepeatRule

MAX_OCCURRENCES = 60
GAP_MESSAGE = (
    "Tiden finns inte i svensk tid: klockan ställs fram en timme kl. 02.00 sista söndagen i mars. "
    "Välj en annan tid."
)


def exists_locally(day: date, at: time) -> bool:
    """False for wall-clock times in the spring-forward gap (02:00–03:00)."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=STOCKHOLM)
    return aware.astimezone(UTC).astimezone(STOCKHOLM).replace(tzinfo=None) == naive


def local_to_utc(day: date, at: time, field: str = "start_time") -> datetime:
    if not exists_locally(day, at):
        raise ValidationError({field: GAP_MESSAGE})
    return datetime.combine(day, at, tzinfo=STOCKHOLM).astimezone(UTC)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth (1–4, or 5 = last) given weekday of a month."""
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month]
    matching = [d for d in days if d.weekday() == weekday]
    return matching[-1] if nth >= 5 or nth > len(matching) else matching[nth - 1]


def occurrence_dates(
    rule: RepeatRule,
    interval: int,
    first_on: date,
    until_on: date | None,
    count: int | None,
    limit: int = MAX_OCCURRENCES,
) -> list[date]:
    """Dates of a series: e.g. first Thursday every other month, or every 4 weeks (at most `limit`)."""
    limit = min(count or limit, limit)
    result: list[date] = []
    nth = (first_on.day - 1) // 7 + 1
    index = 0
    while len(result) < limit:
        if rule == RepeatRule.WEEKLY:
            day = first_on + timedelta(weeks=interval * index)
        else:
            months = first_on.month - 1 + interval * index
            day = nth_weekday(first_on.year + months // 12, months % 12 + 1, first_on.weekday(), nth)
        if until_on is not None and day > until_on:
            break
        result.append(day)
        index += 1
    return result


def describe_rule(rule: RepeatRule, interval: int, first_on: date) -> str:
    weekdays = ["måndagen", "tisdagen", "onsdagen", "torsdagen", "fredagen", "lördagen", "söndagen"]
    if rule == RepeatRule.WEEKLY:
        return "varje vecka" if interval == 1 else f"var {interval}:e vecka"
    ordinals = ["första", "andra", "tredje", "fjärde", "sista"]
    nth = min((first_on.day - 1) // 7, 4)
    every = (
        "varje månad" if interval == 1 else ("varannan månad" if interval == 2 else f"var {interval}:e månad")
    )
    return f"{every}, {ordinals[nth]} {weekdays[first_on.weekday()]}"


def red_days(days: list[date]) -> list[tuple[date, str]]:
    """Swedish public holidays among the dates (a warning, not an error)."""
    import holidays

    if not days:
        return []
    calendar_ = holidays.Sweden(
        years=range(days[0].year, days[-1].year + 1), include_sundays=False, language="sv"
    )
    return [(day, calendar_[day]) for day in days if day in calendar_]
