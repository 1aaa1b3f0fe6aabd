"""Lending types: products (validated, every problem listed), loan and instalment statuses, and
the integer form of rates and daily accrual used by the close of day.

Rates travel as decimal strings with at most ``RATE_DECIMALS_MAX`` places and are held as
integers of 1e-8 (``rate_e8``). One day's interest on ``balance`` is then exactly
``balance * rate_e8 * weight / ACCRUAL_DENOMINATOR`` fen, where ``weight`` is the day's year
fraction times ``WEIGHT_BASE`` (an integer for every day-count convention, since every daily
fraction has a denominator dividing 360, 365 or 366). Posting the floor and carrying the
remainder as an integer is the same arithmetic as ``rules.accrue_day``, without ``Fraction``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from puhui.lending.calendar import DueDateRule
from puhui.lending.daycount import DayCount, daily_fraction
from puhui.lending.errors import InvalidProduct
from puhui.lending.rules import (
    DEFAULT_ALLOCATION,
    DEFAULT_CLASSIFICATION,
    AllocationStyle,
    Category,
    Component,
    PrepaymentPolicy,
    is_allocation_order,
    is_classification_table,
)
from puhui.lending.schedule import (
    ANNUAL_RATE_MAX,
    TERM_PERIODS_MAX,
    Amortisation,
    InterestMethod,
    Period,
)

RATE_DECIMALS_MAX = 8
RATE_SCALE = 10**RATE_DECIMALS_MAX
WEIGHT_BASE = 1_603_080
"""lcm(360, 365, 366): a day's year fraction times this is an integer under every convention."""
ACCRUAL_DENOMINATOR = RATE_SCALE * WEIGHT_BASE
"""Carries are integers of 1/ACCRUAL_DENOMINATOR fen (below 2**53, so they fit canonical JSON)."""
TRANCHES_MAX = 20
PAYEES_MAX = 20
LOAN_AMOUNT_MAX = 10**14
"""One trillion yuan in fen: anything larger is a typo."""
WEEKENDS_CALENDAR = "weekends"
CATEGORY_ORDER = tuple(Category)


class LoanStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    CONTRACTED = "contracted"
    """Signed by borrower and lender; nothing disbursed yet."""
    ACTIVE = "active"
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"


class InstalmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    DUE = "due"
    """Billed: the amounts are fixed and payable; overdue after the close of its due date."""
    OVERDUE = "overdue"
    PAID = "paid"
    WRITTEN_OFF = "written_off"
    RESTRUCTURED = "restructured"
    """Its unpaid amounts were rolled into a restructured schedule."""


def parse_rate(value: str | Decimal, what: str, problems: list[str]) -> Decimal:
    """A decimal rate string; appends to ``problems`` (and returns 0) if it is not one."""
    try:
        rate = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        problems.append(f"{what} {value!r} is not a decimal number")
        return Decimal(0)
    if not rate.is_finite():
        problems.append(f"{what} must be finite")
        return Decimal(0)
    if rate < 0:
        problems.append(f"{what} cannot be below zero, got {rate}")
    elif rate > ANNUAL_RATE_MAX:
        problems.append(f"{what} {rate} is above {ANNUAL_RATE_MAX} (1,000% a year)")
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_DECIMALS_MAX)):
        problems.append(f"{what} may have at most {RATE_DECIMALS_MAX} decimal places")
    return rate


def rate_e8(rate: Decimal) -> int:
    return int(rate * RATE_SCALE)


def day_weight(convention: DayCount, day: date) -> int:
    weight = daily_fraction(convention, day) * WEIGHT_BASE
    if weight.denominator != 1:
        raise ValueError(f"{convention} gives {day} a fraction outside 1/{WEIGHT_BASE}")
    return weight.numerator


def round_with_carry(posted: int, carry: int) -> int:
    """``posted + carry`` rounded half-even: the one rounding of a period's interest."""
    twice = 2 * carry
    if twice > ACCRUAL_DENOMINATOR or (twice == ACCRUAL_DENOMINATOR and posted % 2 == 1):
        return posted + 1
    return posted


@dataclass(frozen=True)
class Product:
    """A loan product as its lender defined it. ``check`` lists every impossible option."""

    product_id: str
    lender_id: str
    name: str
    currency: str = "CNY"
    interest_method: InterestMethod = InterestMethod.DECLINING_BALANCE
    amortisation: Amortisation = Amortisation.EQUAL_INSTALMENTS
    day_count: DayCount = DayCount.ACT_365F
    period_months: int = 1
    period_days: int = 0
    term_periods_min: int = 1
    term_periods_max: int = 12
    amount_min: int = 1
    amount_max: int = LOAN_AMOUNT_MAX
    annual_rate_min: Decimal = Decimal(0)
    annual_rate_max: Decimal = ANNUAL_RATE_MAX
    rate_cap: Decimal | None = None
    """Highest APR (fees included) an offer may carry; above it the offer is refused."""
    penalty_rate: Decimal = Decimal(0)
    """Annual rate charged daily on overdue principal (instead of the contract rate)."""
    principal_grace_periods: int = 0
    upfront_fee: int = 0
    fee_per_instalment: int = 0
    late_fee: int = 0
    """Charged once on each instalment that becomes overdue."""
    allocation_order: tuple[Component, ...] = DEFAULT_ALLOCATION
    allocation_style: AllocationStyle = AllocationStyle.OLDEST_FIRST
    prepayment_policy: PrepaymentPolicy = PrepaymentPolicy.REDUCE_TERM
    prepayment_allowed: bool = True
    due_date_rule: DueDateRule = DueDateRule.FOLLOWING
    calendar: str = WEEKENDS_CALENDAR
    classification: tuple[tuple[int, Category], ...] = DEFAULT_CLASSIFICATION
    restructured_category_min: Category = Category.SPECIAL_MENTION
    pay_borrower_allowed: bool = False
    tranches_max: int = TRANCHES_MAX

    @property
    def period(self) -> Period:
        return Period(months=self.period_months, days=self.period_days)

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise InvalidProduct(
                f"product {self.product_id}: " + "; ".join(problems), problems=problems
            )

    def problems(self) -> list[str]:
        p: list[str] = []
        if (self.period_months > 0) == (self.period_days > 0):
            p.append("give the repayment period in months or in days (one of them, positive)")
        if self.period_months < 0 or self.period_days < 0 or self.period_months > 120:
            p.append("the repayment period must be positive and at most ten years")
        if self.term_periods_min < 1:
            p.append(f"the term must be at least one period, got {self.term_periods_min}")
        if (
            self.term_periods_max < self.term_periods_min
            or self.term_periods_max > TERM_PERIODS_MAX
        ):
            p.append(f"term_periods_max must be {self.term_periods_min}..{TERM_PERIODS_MAX}")
        if self.amortisation is Amortisation.BULLET and self.term_periods_max != 1:
            p.append("a bullet product has a term of exactly one period")
        if not 1 <= self.amount_min <= self.amount_max <= LOAN_AMOUNT_MAX:
            p.append(f"amounts must satisfy 1 <= amount_min <= amount_max <= {LOAN_AMOUNT_MAX}")
        if self.annual_rate_min > self.annual_rate_max:
            p.append("annual_rate_min is above annual_rate_max")
        if self.rate_cap is not None and self.rate_cap < self.annual_rate_min:
            p.append("the rate cap is below the lowest rate the product allows")
        if min(self.upfront_fee, self.fee_per_instalment, self.late_fee) < 0:
            p.append("fees cannot be negative")
        if self.principal_grace_periods < 0 or (
            self.term_periods_min >= 1 and self.principal_grace_periods >= self.term_periods_min
        ):
            p.append("principal grace must leave at least one period of the shortest term")
        if not is_allocation_order(self.allocation_order):
            p.append("the allocation order must name penalty, fee, interest, principal once each")
        if not is_classification_table(self.classification):
            p.append("the classification table starts at 0 days with increasing thresholds")
        if not 1 <= self.tranches_max <= TRANCHES_MAX:
            p.append(f"tranches_max must be 1..{TRANCHES_MAX}")
        return p

    def to_json(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "lender_id": self.lender_id,
            "name": self.name,
            "currency": self.currency,
            "interest_method": self.interest_method.value,
            "amortisation": self.amortisation.value,
            "day_count": self.day_count.value,
            "period_months": self.period_months,
            "period_days": self.period_days,
            "term_periods_min": self.term_periods_min,
            "term_periods_max": self.term_periods_max,
            "amount_min": self.amount_min,
            "amount_max": self.amount_max,
            "annual_rate_min": str(self.annual_rate_min),
            "annual_rate_max": str(self.annual_rate_max),
            "rate_cap": None if self.rate_cap is None else str(self.rate_cap),
            "penalty_rate": str(self.penalty_rate),
            "principal_grace_periods": self.principal_grace_periods,
            "upfront_fee": self.upfront_fee,
            "fee_per_instalment": self.fee_per_instalment,
            "late_fee": self.late_fee,
            "allocation_order": [c.value for c in self.allocation_order],
            "allocation_style": self.allocation_style.value,
            "prepayment_policy": self.prepayment_policy.value,
            "prepayment_allowed": self.prepayment_allowed,
            "due_date_rule": self.due_date_rule.value,
            "calendar": self.calendar,
            "classification": [[t, c.value] for t, c in self.classification],
            "restructured_category_min": self.restructured_category_min.value,
            "pay_borrower_allowed": self.pay_borrower_allowed,
            "tranches_max": self.tranches_max,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Product:
        problems: list[str] = []
        rate_cap = d.get("rate_cap")
        product = cls(
            product_id=d["product_id"],
            lender_id=d["lender_id"],
            name=d["name"],
            currency=d.get("currency", "CNY"),
            interest_method=InterestMethod(d.get("interest_method", "declining_balance")),
            amortisation=Amortisation(d.get("amortisation", "equal_instalments")),
            day_count=DayCount(d.get("day_count", "ACT/365F")),
            period_months=d.get("period_months", 1),
            period_days=d.get("period_days", 0),
            term_periods_min=d.get("term_periods_min", 1),
            term_periods_max=d.get("term_periods_max", 12),
            amount_min=d.get("amount_min", 1),
            amount_max=d.get("amount_max", LOAN_AMOUNT_MAX),
            annual_rate_min=parse_rate(d.get("annual_rate_min", "0"), "annual_rate_min", problems),
            annual_rate_max=parse_rate(
                d.get("annual_rate_max", str(ANNUAL_RATE_MAX)), "annual_rate_max", problems
            ),
            rate_cap=None if rate_cap is None else parse_rate(rate_cap, "rate_cap", problems),
            penalty_rate=parse_rate(d.get("penalty_rate", "0"), "penalty_rate", problems),
            principal_grace_periods=d.get("principal_grace_periods", 0),
            upfront_fee=d.get("upfront_fee", 0),
            fee_per_instalment=d.get("fee_per_instalment", 0),
            late_fee=d.get("late_fee", 0),
            allocation_order=tuple(
                Component(c) for c in d.get("allocation_order", [*DEFAULT_ALLOCATION])
            ),
            allocation_style=AllocationStyle(d.get("allocation_style", "oldest_first")),
            prepayment_policy=PrepaymentPolicy(d.get("prepayment_policy", "reduce_term")),
            prepayment_allowed=d.get("prepayment_allowed", True),
            due_date_rule=DueDateRule(d.get("due_date_rule", "following")),
            calendar=d.get("calendar", WEEKENDS_CALENDAR),
            classification=tuple(
                (int(t), Category(c))
                for t, c in d.get(
                    "classification", [[t, c.value] for t, c in DEFAULT_CLASSIFICATION]
                )
            ),
            restructured_category_min=Category(
                d.get("restructured_category_min", "special_mention")
            ),
            pay_borrower_allowed=d.get("pay_borrower_allowed", False),
            tranches_max=d.get("tranches_max", TRANCHES_MAX),
        )
        problems += product.problems()
        if problems:
            raise InvalidProduct(
                f"product {product.product_id}: " + "; ".join(problems), problems=problems
            )
        return product


def worse(a: Category, b: Category) -> Category:
    """The worse of two categories (loss is worst)."""
    return a if CATEGORY_ORDER.index(a) >= CATEGORY_ORDER.index(b) else b
