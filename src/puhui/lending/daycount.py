"""Day-count conventions: the fraction of a year between two dates.

``ACT/365F`` and ``ACT/360`` count actual days over a fixed year; ``30/360`` is the bond basis
(ISDA 2006 §4.16(f)): day 31 becomes 30, and the end day 31 becomes 30 only when the start day
is 30 or 31; ``ACT/ACT`` is the ISDA variant: days in each calendar year over that year's length.
Fractions are exact ``Fraction``s so that interest is rounded once, at posting.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from fractions import Fraction


class DayCount(StrEnum):
    ACT_365F = "ACT/365F"
    ACT_360 = "ACT/360"
    THIRTY_360 = "30/360"
    ACT_ACT = "ACT/ACT"

    @property
    def year_days(self) -> int:
        """The days of a nominal year (for periods given in days)."""
        return 360 if self in (DayCount.ACT_360, DayCount.THIRTY_360) else 365


def _thirty_360_days(start: date, end: date) -> int:
    d1 = min(start.day, 30)
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def _year_length(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def year_fraction(convention: DayCount, start: date, end: date) -> Fraction:
    """The fraction of a year from ``start`` (counted) to ``end`` (not counted)."""
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    if convention is DayCount.ACT_365F:
        return Fraction((end - start).days, 365)
    if convention is DayCount.ACT_360:
        return Fraction((end - start).days, 360)
    if convention is DayCount.THIRTY_360:
        return Fraction(_thirty_360_days(start, end), 360)
    fraction = Fraction(0)
    cursor = start
    while cursor < end:
        year_end = min(date(cursor.year + 1, 1, 1), end)
        fraction += Fraction((year_end - cursor).days, _year_length(cursor.year))
        cursor = year_end
    return fraction


def daily_fraction(convention: DayCount, day: date) -> Fraction:
    """The year fraction of the single day ``day`` (used by daily accrual).

    Summed over the days of a period it equals ``year_fraction`` of that period for ACT/365F,
    ACT/360 and ACT/ACT; for 30/360 a day counts 1/360 except that the 31st counts nothing and
    the last day of February counts the missing days, so a month accrues exactly 30 days.
    """
    if convention is DayCount.THIRTY_360:
        if day.day == 31:
            return Fraction(0)
        next_day = date.fromordinal(day.toordinal() + 1)
        if day.month == 2 and next_day.month == 3:
            return Fraction(31 - day.day, 360)
        return Fraction(1, 360)
    return year_fraction(convention, day, date.fromordinal(day.toordinal() + 1))
