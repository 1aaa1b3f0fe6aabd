"""Disclosure: the annualised percentage rate of an offer from its actual cash flows.

The APR is the annual effective rate that discounts every cash flow the borrower receives and
pays, on its date, to zero (XIRR, ACT/365, computed by ``pyxirr``), as the PBoC's 2021 notice on
disclosing annualised rates asks (IRR method). It is reported as a ``Decimal`` rounded half-even
to basis points of a percent (six decimal places of the rate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import pyxirr

from puhui.lending.errors import InvalidLoanTerms
from puhui.lending.schedule import Schedule

APR_QUANTUM = Decimal("0.000001")


@dataclass(frozen=True)
class Disclosure:
    apr: Decimal
    total_interest: int
    total_fees: int
    total_cost: int
    """Interest and every fee: what the borrower pays beyond the principal."""


def cash_flows(
    disbursements: Sequence[tuple[date, int]], schedule: Schedule, upfront_fee: int = 0
) -> list[tuple[date, int]]:
    """Borrower's view: + money received (net of the upfront fee), − money paid."""
    flows: dict[date, int] = {}
    for day, amount in disbursements:
        flows[day] = flows.get(day, 0) + amount
    first = min(flows)
    flows[first] -= upfront_fee
    for row in schedule.instalments:
        flows[row.due] = flows.get(row.due, 0) - row.total
    return sorted(flows.items())


def annualised_rate(flows: Sequence[tuple[date, int]]) -> Decimal:
    dates = [d for d, _ in flows]
    amounts = [a for _, a in flows]
    rate = pyxirr.xirr(dates, amounts)
    if rate is None:
        raise InvalidLoanTerms("the cash flows have no annualised rate (no sign change)")
    return Decimal(repr(rate)).quantize(APR_QUANTUM, rounding=ROUND_HALF_EVEN)


def disclose(
    schedule: Schedule,
    disbursements: Sequence[tuple[date, int]] | None = None,
    upfront_fee: int = 0,
) -> Disclosure:
    """APR and totals for ``schedule``; by default the whole principal is paid out at start."""
    paid_out = disbursements or [(schedule.terms.start, schedule.terms.principal)]
    apr = annualised_rate(cash_flows(paid_out, schedule, upfront_fee))
    fees = schedule.total_fees + upfront_fee
    return Disclosure(apr, schedule.total_interest, fees, schedule.total_interest + fees)
