"""Business days and due-date adjustment.

A ``HolidayCalendar`` is data: the public holidays and the weekend days made working days
(调休) for the years it knows. Handlers take it from the record, never from a library at run
time, so a schedule computed today replays the same after the State Council publishes next
year's holidays. For a year the calendar does not know, only weekends are non-business days;
``knows`` tells which years those are so a caller can refuse or warn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

SATURDAY = 5
ADJUST_DAYS_MAX = 31
"""No run of non-business days is longer (the Spring Festival is at most about nine days)."""


class DueDateRule(StrEnum):
    """How a due date on a non-business day moves."""

    UNADJUSTED = "unadjusted"
    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"
    PRECEDING = "preceding"


@dataclass(frozen=True)
class HolidayCalendar:
    name: str
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    """Saturdays and Sundays that are working days."""
    years: frozenset[int] = frozenset()

    def knows(self, year: int) -> bool:
        return year in self.years

    def is_business_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < SATURDAY and day not in self.holidays

    def _step(self, day: date, step: int) -> date:
        for _ in range(ADJUST_DAYS_MAX):
            if self.is_business_day(day):
                return day
            day += timedelta(days=step)
        raise ValueError(f"no business day within {ADJUST_DAYS_MAX} days of {day}")

    def adjust(self, day: date, rule: DueDateRule) -> date:
        if rule is DueDateRule.UNADJUSTED:
            return day
        if rule is DueDateRule.PRECEDING:
            return self._step(day, -1)
        moved = self._step(day, 1)
        if rule is DueDateRule.MODIFIED_FOLLOWING and moved.month != day.month:
            return self._step(day, -1)
        return moved


WEEKENDS_ONLY = HolidayCalendar("weekends")


def chinese_calendar(years: Iterable[int]) -> HolidayCalendar:
    """Mainland China's calendar for ``years``, from the ``chinese-calendar`` package's data.

    Used to load the calendar onto the record (the demo, an operator command); a year the
    package does not cover is left out of ``years``.
    """
    import chinese_calendar as cc  # the data source; handlers never call it

    wanted = set(years)
    holidays = frozenset(d for d in cc.holidays if d.year in wanted and d.weekday() < SATURDAY)
    workdays = frozenset(d for d in cc.workdays if d.year in wanted and d.weekday() >= SATURDAY)
    known = {y for y in wanted if any(d.year == y for d in cc.holidays)}
    return HolidayCalendar("CN", holidays, workdays, frozenset(known))
