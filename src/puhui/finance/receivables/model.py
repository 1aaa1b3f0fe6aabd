"""Receivable types and rules: states, limits, the maturity policy and the factoring discount.

A **receivable** (数字债权凭证) is the core enterprise's promise to pay ``amount`` on
``maturity_date``. It is held as a tree of **pieces**: the root piece is the tier-1 supplier's;
splitting a piece closes it and creates children (the parts passed on, and the remainder kept),
so the pieces still held always sum to the original amount and every piece knows its path to
the root. Pieces never change amount; a piece changes holder only when a bank buys it
(factoring), a guarantor pays it (subrogation) or a seller takes it back (recourse).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from puhui.lending.daycount import DayCount, year_fraction
from puhui.lending.schedule import round_half_even

MATURITY_MONTHS_HARD_MAX = 12
"""No receivable runs longer than a year (the rule of the issue, not a policy)."""
MATURITY_MONTHS_DEFAULT = 6
"""The default policy limit until the operator sets another (``receivable.set_policy``)."""
PIECE_DEPTH_MAX = 32
PIECES_PER_RECEIVABLE_MAX = 100_000
PARTS_PER_SPLIT_MAX = 100
DOCUMENTS_PER_ISSUE_MAX = 100
SETTLEMENTS_PER_CLOSE_MAX = 1_000
"""Receivables examined by one close of day; the rest wait for the next close."""
SETTLEMENT_TRANSFERS_PER_CLOSE_MAX = 1_000
"""The ledger's limit of transfers per command: a close pays at most this many holders."""
HOLDERS_PER_RECEIVABLE_MAX = 500
"""Distinct holders of a receivable's pieces, so that one close can always pay them all."""
PATH_SEPARATOR = "/"


class ReceivableStatus(StrEnum):
    OFFERED = "offered"
    """Issued by the core enterprise, waiting for the supplier's signature."""
    ACTIVE = "active"
    REJECTED = "rejected"
    LAPSED = "lapsed"
    """Never accepted before maturity."""
    OVERDUE = "overdue"
    """Matured and not (fully) paid by the core enterprise; retried at each close."""
    SETTLED = "settled"


class PieceStatus(StrEnum):
    HELD = "held"
    SPLIT = "split"
    """Closed: its amount now lives in its children."""
    PAID = "paid"


class GuaranteeStatus(StrEnum):
    OFFERED = "offered"
    ACTIVE = "active"
    CALLED = "called"
    """The core enterprise defaulted and the guarantor paid the holders."""
    FAILED = "failed"
    """Called, but the guarantor's account could not cover it."""
    RELEASED = "released"
    """The receivable was paid: the guarantee ends."""


class FinancingStatus(StrEnum):
    REQUESTED = "requested"
    DECLINED = "declined"
    FUNDED = "funded"
    SETTLED = "settled"
    """The bank was paid at maturity (by the core enterprise or the guarantor)."""
    RECOURSE = "recourse"
    """The core enterprise defaulted and the seller bought the piece back."""
    DEFAULTED = "defaulted"
    """Defaulted and nobody paid the bank (yet); the bank keeps the claim on the core."""
    EXPIRED = "expired"
    """Still waiting for the bank's decision when the receivable matured."""


class SettlementKind(StrEnum):
    MATURITY = "maturity"
    LATE = "late"
    GUARANTEE = "guarantee"
    RECOURSE = "recourse"


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's end (31 Aug + 6 → 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def maturity_problem(today: date, maturity: date, policy_months: int) -> str | None:
    """Why ``maturity`` may not be set today, or None if it may."""
    if maturity <= today:
        return f"maturity {maturity} must be after the business date {today}"
    hard = add_months(today, MATURITY_MONTHS_HARD_MAX)
    if maturity > hard:
        return f"maturity {maturity} is more than one year away (latest {hard})"
    limit = add_months(today, policy_months)
    if maturity > limit:
        return (
            f"maturity {maturity} is past the policy limit of {policy_months} months "
            f"(latest {limit})"
        )
    return None


def discount(face: int, annual_rate: Decimal, start: date, maturity: date, basis: DayCount) -> int:
    """Factoring discount (贴现利息): face × rate × year fraction, rounded once, half-even."""
    exact = Fraction(face) * Fraction(annual_rate) * year_fraction(basis, start, maturity)
    return round_half_even(exact)


def path_ids(path: str) -> list[str]:
    return path.split(PATH_SEPARATOR)
