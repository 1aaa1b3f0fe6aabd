"""Repayment schedules: pure functions from loan terms to instalments.

Amounts are integer minor units (fen). Interest for a period is computed exactly (``Fraction``)
on the principal outstanding over the period's actual accrual dates and the product's day
count, and rounded once to the fen, half-even. Principal parts are rounded the same way and the
rounding remainder goes to the last instalment, so the parts always sum to the principal.

* ``equal_instalments`` (annuity): the instalment is ``pmt`` of the nominal periodic rate
  (annual rate × period / year); each period's interest follows the day count, so the last
  instalment absorbs the difference.
* ``equal_principal``: the same principal each period, interest on the declining balance.
* ``interest_only``: interest each period, all principal with the last instalment.
* ``bullet``: one instalment at maturity (``term_periods`` is then 1).
* ``custom``: the lender's principal part for each instalment.

With the ``flat`` method interest is charged on the original principal for the whole term and
spread evenly over the instalments (the remainder on the last); principal as the amortisation
says. Principal grace periods pay interest only and shift amortisation to the periods after.
"""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from puhui.lending.calendar import WEEKENDS_ONLY, DueDateRule, HolidayCalendar
from puhui.lending.daycount import DayCount, year_fraction
from puhui.lending.errors import InvalidLoanTerms

TERM_PERIODS_MAX = 600
"""Fifty years of monthly instalments."""
PERIOD_DAYS_MAX = 3660
ANNUAL_RATE_MAX = Decimal("10")
"""1,000% a year: anything above is a typo, not a product."""


class Amortisation(StrEnum):
    EQUAL_INSTALMENTS = "equal_instalments"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_ONLY = "interest_only"
    BULLET = "bullet"
    CUSTOM = "custom"


class InterestMethod(StrEnum):
    DECLINING_BALANCE = "declining_balance"
    FLAT = "flat"


def round_half_even(value: Fraction) -> int:
    """The nearest integer, ties to even, exactly: the one rounding step for money."""
    return round(value)


def spread(total: int, count: int) -> list[int]:
    """``total`` in ``count`` equal shares rounded half-even, the remainder on the last share.

    If rounding the shares up would leave the last one negative, the shares are rounded down.
    """
    share = round_half_even(Fraction(total, count))
    if share * (count - 1) > total:
        share = total // count
    return [share] * (count - 1) + [total - share * (count - 1)]


@dataclass(frozen=True)
class Period:
    """A repayment period: a number of months (same day of month, clipped) or of days."""

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if (self.months > 0) == (self.days > 0) or self.months < 0 or self.days < 0:
            raise InvalidLoanTerms("a period is a positive number of months or of days, not both")
        if self.days > PERIOD_DAYS_MAX or self.months > 120:
            raise InvalidLoanTerms("a repayment period may not exceed ten years")

    def end(self, start: date, count: int) -> date:
        """The date ``count`` periods after ``start`` (unadjusted)."""
        if self.days:
            return start + timedelta(days=self.days * count)
        month_index = start.month - 1 + self.months * count
        year, month = start.year + month_index // 12, month_index % 12 + 1
        return date(year, month, min(start.day, gregorian.monthrange(year, month)[1]))

    def year_fraction(self, day_count: DayCount) -> Fraction:
        """The nominal length of one period in years (for the annuity's periodic rate)."""
        if self.months:
            return Fraction(self.months, 12)
        return Fraction(self.days, day_count.year_days)


@dataclass(frozen=True)
class ScheduleTerms:
    principal: int
    annual_rate: Decimal
    start: date
    term_periods: int
    period: Period = field(default_factory=lambda: Period(months=1))
    amortisation: Amortisation = Amortisation.EQUAL_INSTALMENTS
    interest_method: InterestMethod = InterestMethod.DECLINING_BALANCE
    day_count: DayCount = DayCount.ACT_365F
    principal_grace_periods: int = 0
    fee_per_instalment: int = 0
    due_date_rule: DueDateRule = DueDateRule.FOLLOWING
    custom_principal: tuple[int, ...] = ()

    def check(self) -> None:
        """Raise InvalidLoanTerms naming every impossible term at once."""
        problems = []
        if self.principal <= 0:
            problems.append(f"principal must be positive, got {self.principal}")
        if self.annual_rate < 0 or self.annual_rate > ANNUAL_RATE_MAX:
            problems.append(f"annual rate must be between 0 and {ANNUAL_RATE_MAX}")
        if not 1 <= self.term_periods <= TERM_PERIODS_MAX:
            problems.append(
                f"term must be 1 to {TERM_PERIODS_MAX} periods, got {self.term_periods}"
            )
        if not 0 <= self.principal_grace_periods < max(self.term_periods, 1):
            problems.append("principal grace must leave at least one period to repay in")
        if self.fee_per_instalment < 0:
            problems.append("the fee per instalment cannot be negative")
        if self.amortisation is Amortisation.BULLET and self.term_periods != 1:
            problems.append("a bullet loan has one period: set the period to the whole term")
        if self.amortisation is Amortisation.CUSTOM:
            parts = self.custom_principal
            if len(parts) != self.term_periods or any(p < 0 for p in parts):
                problems.append("custom principal needs one non-negative part per period")
            elif sum(parts) != self.principal:
                problems.append(f"custom principal parts sum to {sum(parts)}, not {self.principal}")
        elif self.custom_principal:
            problems.append("custom principal parts are only for the custom amortisation")
        if problems:
            raise InvalidLoanTerms("; ".join(problems), problems=problems)


@dataclass(frozen=True)
class Instalment:
    number: int
    start: date
    due: date
    principal: int
    interest: int
    fee: int
    outstanding_after: int

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fee


@dataclass(frozen=True)
class Schedule:
    terms: ScheduleTerms
    instalments: tuple[Instalment, ...]

    @property
    def total_principal(self) -> int:
        return sum(i.principal for i in self.instalments)

    @property
    def total_interest(self) -> int:
        return sum(i.interest for i in self.instalments)

    @property
    def total_fees(self) -> int:
        return sum(i.fee for i in self.instalments)

    @property
    def maturity(self) -> date:
        return self.instalments[-1].due


def due_dates(terms: ScheduleTerms, holidays: HolidayCalendar) -> list[date]:
    """The adjusted due dates; adjustment never reorders or merges them."""
    dates = [
        holidays.adjust(terms.period.end(terms.start, k), terms.due_date_rule)
        for k in range(1, terms.term_periods + 1)
    ]
    previous = terms.start
    for due in dates:
        if due <= previous:
            raise InvalidLoanTerms(f"due date {due} does not fall after {previous}")
        previous = due
    return dates


def annuity_payment(principal: int, periodic_rate: Fraction, periods: int) -> int:
    """The level payment repaying ``principal`` over ``periods`` at ``periodic_rate``, rounded."""
    if periodic_rate == 0:
        return round_half_even(Fraction(principal, periods))
    growth = (1 + periodic_rate) ** periods
    return round_half_even(principal * periodic_rate * growth / (growth - 1))


def _principal_plan(terms: ScheduleTerms) -> list[int] | None:
    """Principal per instalment, or None for the annuity (it depends on each period's interest)."""
    n, grace = terms.term_periods, terms.principal_grace_periods
    if terms.amortisation is Amortisation.CUSTOM:
        return list(terms.custom_principal)
    if terms.amortisation in (Amortisation.INTEREST_ONLY, Amortisation.BULLET):
        return [0] * (n - 1) + [terms.principal]
    if terms.amortisation is Amortisation.EQUAL_PRINCIPAL or (
        terms.interest_method is InterestMethod.FLAT
    ):
        return [0] * grace + spread(terms.principal, n - grace)
    return None


def build_schedule(terms: ScheduleTerms, holidays: HolidayCalendar = WEEKENDS_ONLY) -> Schedule:
    terms.check()
    return _build(terms, due_dates(terms, holidays))


def schedule_on_dates(terms: ScheduleTerms, dues: Sequence[date]) -> Schedule:
    """The schedule of ``terms`` on given due dates (re-amortising what is left of a loan
    over its remaining instalments after a tranche, a prepayment or a restructure)."""
    terms.check()
    if len(dues) != terms.term_periods:
        raise InvalidLoanTerms(f"{len(dues)} due dates for {terms.term_periods} periods")
    previous = terms.start
    for due in dues:
        if due <= previous:
            raise InvalidLoanTerms(f"due date {due} does not fall after {previous}")
        previous = due
    return _build(terms, list(dues))


def proportional(parts: Sequence[int], total: int) -> list[int]:
    """``parts`` rescaled to sum to ``total`` (rounded half-even, remainder on the last);
    all on the last part when ``parts`` sum to zero."""
    whole = sum(parts)
    if not parts:
        return []
    if whole == 0:
        return [0] * (len(parts) - 1) + [total]
    scaled = [round_half_even(Fraction(p * total, whole)) for p in parts]
    scaled[-1] += total - sum(scaled)
    if scaled[-1] < 0:
        scaled = [p * total // whole for p in parts]
        scaled[-1] += total - sum(scaled)
    return scaled


def _build(terms: ScheduleTerms, dues: list[date]) -> Schedule:
    starts = [terms.start, *dues[:-1]]
    rate = Fraction(terms.annual_rate)
    principal_parts = _principal_plan(terms)
    if terms.interest_method is InterestMethod.FLAT:
        return _flat(terms, starts, dues, principal_parts or [])
    level = None
    if principal_parts is None:
        periodic = rate * terms.period.year_fraction(terms.day_count)
        level = annuity_payment(
            terms.principal, periodic, terms.term_periods - terms.principal_grace_periods
        )
    outstanding = terms.principal
    rows: list[Instalment] = []
    for k, (start, due) in enumerate(zip(starts, dues, strict=True)):
        interest = round_half_even(outstanding * rate * year_fraction(terms.day_count, start, due))
        last = k == terms.term_periods - 1
        if principal_parts is not None:
            principal = principal_parts[k]
        elif k < terms.principal_grace_periods:
            principal = 0
        else:
            principal = outstanding if last else min(outstanding, max(0, (level or 0) - interest))
        if last:
            principal = outstanding
        outstanding -= principal
        rows.append(
            Instalment(
                k + 1, start, due, principal, interest, terms.fee_per_instalment, outstanding
            )
        )
    return Schedule(terms, tuple(rows))


def _flat(
    terms: ScheduleTerms, starts: list[date], dues: list[date], principal_parts: list[int]
) -> Schedule:
    total = round_half_even(
        terms.principal
        * Fraction(terms.annual_rate)
        * year_fraction(terms.day_count, terms.start, dues[-1])
    )
    interest = spread(total, terms.term_periods)
    outstanding = terms.principal
    rows = []
    for k in range(terms.term_periods):
        outstanding -= principal_parts[k]
        rows.append(
            Instalment(
                k + 1,
                starts[k],
                dues[k],
                principal_parts[k],
                interest[k],
                terms.fee_per_instalment,
                outstanding,
            )
        )
    return Schedule(terms, tuple(rows))
