"""Receivables as credit facts: what core enterprises confirmed to the applicant and what it held,
as of a date (see ``features``: ``visible`` applies the as-of cut to ``issued_on`` and
``held_from``; an outcome or an end after the as-of date is not yet known on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from puhui.credit.units import BP, WINDOW_DAYS, Value

REFUSED = frozenset({"rejected", "lapsed"})


@dataclass(frozen=True)
class Receivable:
    """A receivable a core enterprise issued to the applicant (its tier-1 supplier): the
    debtor's confirmation of what it owes, on the log the day it was issued."""

    issued_on: date
    maturity_date: date
    amount_fen: int
    closed_on: date | None
    outcome: str | None
    """How it closed: ``settled``, ``rejected`` or ``lapsed`` (None while open)."""

    @property
    def happened_on(self) -> date:
        return self.issued_on

    @property
    def registered_on(self) -> date:
        return self.issued_on

    def refused_by(self, day: date) -> bool:
        """Rejected by the supplier, or never accepted before maturity, on or before ``day``."""
        return self.outcome in REFUSED and self.closed_on is not None and self.closed_on <= day

    def paid_on_time_by(self, day: date) -> bool:
        return (
            self.outcome == "settled"
            and self.closed_on is not None
            and self.closed_on <= min(day, self.maturity_date)
        )


@dataclass(frozen=True)
class Holding:
    """A receivable piece the applicant held (as tier-1 supplier, or passed down to it), from
    ``held_from`` up to, not including, ``held_until`` (split, paid or passed on)."""

    held_from: date
    held_until: date | None
    amount_fen: int

    @property
    def happened_on(self) -> date:
        return self.held_from

    @property
    def registered_on(self) -> date:
        return self.held_from

    def held_on(self, day: date) -> bool:
        return self.held_from <= day and (self.held_until is None or day < self.held_until)


class ReceivableHistory(Protocol):
    """The read interface over the receivables context: receivables issued to a supplier."""

    def receivables(self, supplier_id: str) -> tuple[Receivable, ...]: ...

    def holdings(self, party_id: str) -> tuple[Holding, ...]: ...


RECEIVABLE_FIELDS = (
    "receivables_held_fen",
    "receivables_confirmed_12m_fen",
    "receivables_paid_on_time_share_bp",
)


def receivable_features(
    owed: list[Receivable] | None, held: list[Holding] | None, as_of: date
) -> dict[str, Value]:
    """Receivable pieces held on D (claims on core enterprises, passed down the chain or kept);
    receivables core enterprises confirmed to the applicant in the last 12 months (less any
    refused by D), and the share of those that fell due in the last 12 months that the debtor
    paid by the maturity date, by amount (None when none fell due). A receivable refused by D
    never became a debt and counts in neither. Unknown (None) when the flows were not shared."""
    if owed is None or held is None:
        return dict.fromkeys(RECEIVABLE_FIELDS)
    since = as_of - timedelta(days=WINDOW_DAYS)
    debts = [r for r in owed if not r.refused_by(as_of)]
    confirmed = sum(r.amount_fen for r in debts if since < r.issued_on)
    due = [r for r in debts if since < r.maturity_date <= as_of]
    due_fen = sum(r.amount_fen for r in due)
    on_time = sum(r.amount_fen for r in due if r.paid_on_time_by(as_of))
    return {
        "receivables_held_fen": sum(h.amount_fen for h in held if h.held_on(as_of)),
        "receivables_confirmed_12m_fen": confirmed,
        "receivables_paid_on_time_share_bp": None if due_fen == 0 else on_time * BP // due_fen,
    }
