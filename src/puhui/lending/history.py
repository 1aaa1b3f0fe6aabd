"""The loan book over time, derived from the projections of the log (read-only).

For each closed business day in a window, the principal outstanding at the end of that day by
currency and five-category class. Principal moves only by loan transactions — a disbursement
adds it, a repayment or write-off takes its principal part away, a restructure capitalises
interest, fees and penalties into it — and a loan's class changes only by the close of day's
reclassifications (``loan_classifications``; every loan starts ``normal``). Replaying both in
log order gives the same figures on any machine, and the last day's principal by class equals
:func:`views.portfolio` (which also counts active loans with no principal left; here a loan
counts on a day when it has principal outstanding). The window starts at the book's first
movement if that is later. Reclassifications in the window are returned too: the bank's alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from puhui.lending.rules import Category
from puhui.lending.tables import loan_classifications, loan_transactions, loans

HISTORY_DAYS_MAX = 366
RECLASSIFICATIONS_MAX = 200
CATEGORIES = tuple(c.value for c in Category)
_PRINCIPAL_SIGN = {"disbursement": 1, "repayment": -1, "write_off": -1}


@dataclass
class _Book:
    """Each loan's principal and class, and the totals per (currency, class)."""

    currency: dict[str, str]
    principal: dict[str, int] = field(default_factory=dict)
    category: dict[str, str] = field(default_factory=dict)

    def move(self, loan_id: str, delta: int) -> None:
        self.principal[loan_id] = self.principal.get(loan_id, 0) + delta

    def totals(self) -> dict[str, dict[str, list[int]]]:
        out = {cur: {c: [0, 0] for c in CATEGORIES} for cur in sorted(set(self.currency.values()))}
        for loan_id, amount in self.principal.items():
            if amount > 0:
                cell = out[self.currency[loan_id]][self.category.get(loan_id, "normal")]
                cell[0] += 1
                cell[1] += amount
        return out


def _events(
    conn: Connection, lender_id: str | None, until: date
) -> list[tuple[date, int, int, str, str, Any]]:
    """(day, seq, line, loan, kind, value) in log order: principal moves and reclassifications."""
    txns = (
        select(
            loan_transactions.c.business_date,
            loan_transactions.c.seq,
            loan_transactions.c.line,
            loan_transactions.c.loan_id,
            loan_transactions.c.kind,
            loan_transactions.c.principal,
            loan_transactions.c.amount,
        )
        .join(loans, loans.c.loan_id == loan_transactions.c.loan_id)
        .where(
            loan_transactions.c.kind.in_([*_PRINCIPAL_SIGN, "restructure"]),
            loan_transactions.c.business_date <= until,
        )
    )
    classes = (
        select(
            loan_classifications.c.business_date,
            loan_classifications.c.seq,
            loan_classifications.c.loan_id,
            loan_classifications.c.category,
            loan_classifications.c.previous,
            loan_classifications.c.days_past_due,
        )
        .join(loans, loans.c.loan_id == loan_classifications.c.loan_id)
        .where(loan_classifications.c.business_date <= until)
    )
    if lender_id is not None:
        txns = txns.where(loans.c.lender_id == lender_id)
        classes = classes.where(loans.c.lender_id == lender_id)
    out: list[tuple[date, int, int, str, str, Any]] = []
    for day, seq, line, loan_id, kind, principal, amount in conn.execute(txns):
        delta = amount if kind == "restructure" else _PRINCIPAL_SIGN[kind] * principal
        out.append((day, seq, line, loan_id, "principal", delta))
    for day, seq, loan_id, category, previous, dpd in conn.execute(classes):
        out.append((day, seq, -1, loan_id, "class", (category, previous, dpd)))
    out.sort(key=lambda e: (e[0], e[1], e[2]))
    return out


def portfolio_history(
    conn: Connection, today: date, lender_id: str | None = None, days: int = 90
) -> dict[str, Any]:
    """The book at the end of each of the last ``days`` business days up to ``today``
    (at most ``HISTORY_DAYS_MAX``), and the reclassifications in that window, newest first."""
    days = max(1, min(days, HISTORY_DAYS_MAX))
    first = today - timedelta(days=days - 1)
    events = _events(conn, lender_id, today)
    if events and events[0][0] > first:  # the window starts with the book's first movement
        first = events[0][0]
    stmt = select(loans.c.loan_id, loans.c.currency)
    if lender_id is not None:
        stmt = stmt.where(loans.c.lender_id == lender_id)
    book = _Book({r.loan_id: r.currency for r in conn.execute(stmt)})
    series: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    i = 0
    for n in range((today - first).days + 1):
        day = first + timedelta(days=n)
        while i < len(events) and events[i][0] <= day:
            when, seq, _line, loan_id, kind, value = events[i]
            if kind == "principal":
                book.move(loan_id, value)
            else:
                book.category[loan_id] = value[0]
                if when >= first:
                    changes.append(
                        {
                            "business_date": when.isoformat(),
                            "seq": seq,
                            "loan_id": loan_id,
                            "from": value[1],
                            "to": value[0],
                            "days_past_due": value[2],
                        }
                    )
            i += 1
        for currency, by in book.totals().items():
            series.append(
                {
                    "business_date": day.isoformat(),
                    "currency": currency,
                    "categories": {
                        c: {"loans": v[0], "principal_outstanding": v[1]} for c, v in by.items()
                    },
                }
            )
    changes.reverse()
    return {
        "lender_id": lender_id,
        "from": first.isoformat(),
        "to": today.isoformat(),
        "series": series,
        "reclassifications": changes[:RECLASSIFICATIONS_MAX],
    }
