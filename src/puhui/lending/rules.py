"""Loan servicing rules as pure functions: repayment allocation, ageing and classification,
daily accrual, and re-amortisation after a prepayment.

Money is integer fen; interest accrues exactly (``Fraction``) and is carried as a remainder so
that rounding happens once, when an amount is posted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from puhui.lending.daycount import DayCount, daily_fraction
from puhui.lending.errors import InvalidLoanTerms


class Component(StrEnum):
    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


DEFAULT_ALLOCATION = (Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL)


class AllocationStyle(StrEnum):
    """How the order applies across instalments.

    ``oldest_first``: every component of the oldest instalment due before the next instalment
    (Fineract's horizontal allocation). ``component_first``: a component across all instalments
    before the next component (vertical): all penalties, then all fees, ...
    """

    OLDEST_FIRST = "oldest_first"
    COMPONENT_FIRST = "component_first"


@dataclass(frozen=True)
class Due:
    """What is owed on one instalment, by component."""

    number: int
    due: date
    amounts: Mapping[Component, int]


@dataclass(frozen=True)
class Allocation:
    parts: tuple[tuple[int, Component, int], ...]
    """(instalment number, component, amount) in the order they were paid."""
    unallocated: int
    """What is left after everything due is paid (a prepayment of principal, or a refund)."""

    def total(self, component: Component) -> int:
        return sum(amount for _, c, amount in self.parts if c is component)


def is_allocation_order(order: Sequence[Component]) -> bool:
    """Whether ``order`` names each component exactly once."""
    return len(order) == len(Component) and set(order) == set(Component)


def allocate(
    amount: int,
    dues: Sequence[Due],
    order: Sequence[Component] = DEFAULT_ALLOCATION,
    style: AllocationStyle = AllocationStyle.OLDEST_FIRST,
) -> Allocation:
    """Split a repayment over what is due, oldest instalment first, in the product's order."""
    if amount <= 0:
        raise InvalidLoanTerms(f"a repayment must be positive, got {amount}")
    if not is_allocation_order(order):
        raise InvalidLoanTerms("the allocation order must name each component exactly once")
    oldest = sorted(dues, key=lambda d: (d.due, d.number))
    if style is AllocationStyle.OLDEST_FIRST:
        slots = [(d, c) for d in oldest for c in order]
    else:
        slots = [(d, c) for c in order for d in oldest]
    left = amount
    parts: list[tuple[int, Component, int]] = []
    for due, component in slots:
        owed = due.amounts.get(component, 0)
        if left == 0:
            break
        if owed <= 0:
            continue
        paid = min(owed, left)
        parts.append((due.number, component, paid))
        left -= paid
    return Allocation(tuple(parts), left)


# ---- ageing and the five categories ---------------------------------------------------------


class Category(StrEnum):
    NORMAL = "normal"
    SPECIAL_MENTION = "special_mention"
    SUBSTANDARD = "substandard"
    DOUBTFUL = "doubtful"
    LOSS = "loss"


DEFAULT_CLASSIFICATION = (
    (0, Category.NORMAL),
    (1, Category.SPECIAL_MENTION),
    (91, Category.SUBSTANDARD),
    (271, Category.DOUBTFUL),
    (361, Category.LOSS),
)
"""(days past due from which, category): 1–90 special mention, 91–270 substandard, 271–360
doubtful, over 360 loss."""


def is_classification_table(table: Sequence[tuple[int, Category]]) -> bool:
    """Whether ``table`` starts at 0 days past due with strictly increasing thresholds."""
    thresholds = [t for t, _ in table]
    return bool(thresholds) and thresholds[0] == 0 and thresholds == sorted(set(thresholds))


def classify(
    days_past_due: int, table: Sequence[tuple[int, Category]] = DEFAULT_CLASSIFICATION
) -> Category:
    category = table[0][1]
    for threshold, name in table:
        if days_past_due >= threshold:
            category = name
    return category


def days_past_due(oldest_unpaid_due: date | None, today: date) -> int:
    """Days since the oldest instalment still unpaid fell due (0 if none is overdue)."""
    if oldest_unpaid_due is None or oldest_unpaid_due >= today:
        return 0
    return (today - oldest_unpaid_due).days


# ---- daily accrual --------------------------------------------------------------------------


@dataclass(frozen=True)
class Accrued:
    posted: int
    """Whole fen to post today."""
    carry: Fraction
    """The fraction of a fen carried to tomorrow (always in [0, 1))."""


def accrue_day(
    balance: int, annual_rate: Fraction, convention: DayCount, day: date, carry: Fraction
) -> Accrued:
    """One day's interest on ``balance``: the exact amount plus yesterday's carry, floored.

    Posting the floor and carrying the fraction makes the daily postings of a period sum to the
    period's exact interest rounded down; the period's rounding (half-even) is then settled
    once, when the instalment is billed.
    """
    if balance < 0 or annual_rate < 0:
        raise InvalidLoanTerms("accrual needs a non-negative balance and rate")
    exact = balance * annual_rate * daily_fraction(convention, day) + carry
    posted = exact.numerator // exact.denominator
    return Accrued(posted, exact - posted)


# ---- prepayment -----------------------------------------------------------------------------


class PrepaymentPolicy(StrEnum):
    REDUCE_TERM = "reduce_term"
    REDUCE_INSTALMENT = "reduce_instalment"


def principal_after_prepayment(
    remaining: Sequence[int], prepaid: int, policy: PrepaymentPolicy
) -> list[int]:
    """The principal parts still to come after ``prepaid`` of principal is paid early.

    ``reduce_term`` takes the prepayment off the last parts (the loan ends sooner, instalments
    keep their size); ``reduce_instalment`` spreads the new balance over the same dates in the
    proportion of the old parts (every later instalment shrinks). Both keep the parts summing
    to the new balance.
    """
    balance = sum(remaining)
    if not 0 < prepaid <= balance:
        raise InvalidLoanTerms(f"a prepayment must be between 1 and the balance {balance}")
    if policy is PrepaymentPolicy.REDUCE_TERM:
        parts = list(remaining)
        left = prepaid
        for k in range(len(parts) - 1, -1, -1):
            taken = min(parts[k], left)
            parts[k] -= taken
            left -= taken
        return parts
    new_balance = balance - prepaid
    parts = [round(Fraction(p * new_balance, balance)) for p in remaining]
    parts[-1] += new_balance - sum(parts)
    if parts[-1] < 0:  # rounding up earlier parts overshot: floor them instead
        parts = [p * new_balance // balance for p in remaining]
        parts[-1] += new_balance - sum(parts)
    return parts
