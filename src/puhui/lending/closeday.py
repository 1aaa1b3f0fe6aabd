"""The close of day for loans: one pass over the active loans, in chunks.

For each chunk of ``LOANS_PER_CHUNK`` active loans (keyset order by loan id) it reads the loans'
running figures and, in one more query, the instalments that change today; then for each loan,
in memory: accrues a day of interest on the performing principal (the flat method: on the
amount disbursed) and of penalty interest on the overdue principal, bills the instalments due
tomorrow (the period's interest is what accrued, rounded once, half-even), makes the billed
instalments due today and still unpaid overdue (with the late fee), and recomputes days past
due and the five-category class from the product's table. Each chunk becomes one
``lending.day_accrued`` event holding only the loans and instalments that changed; the applier
writes it with one executemany per table. The ledger gets one transfer per lender, currency
and kind (interest, penalty, fees) for the whole day: see ``docs/lending.md`` for why.

Closing a date twice is impossible (the clock accepts only the current business date, and a
retried command returns its first receipt); a crash leaves nothing (one transaction); replay
recomputes the same events from the same projections.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from puhui.accounts import transfer_events
from puhui.kernel.commands import Event
from puhui.kernel.registry import HandlerContext
from puhui.kernel.store.keys import by_code_point
from puhui.lending import books, views
from puhui.lending.daycount import DayCount
from puhui.lending.model import (
    ACCRUAL_DENOMINATOR,
    InstalmentStatus,
    LoanStatus,
    day_weight,
    round_with_carry,
    worse,
)
from puhui.lending.rules import Category, classify, days_past_due
from puhui.lending.tables import loan_instalments, loans

LOANS_PER_CHUNK = 5000
CHUNKS_PER_DAY_MAX = 10_000
"""50 million active loans per log: past that, partition the log (DESIGN.md)."""
SCHEDULED = InstalmentStatus.SCHEDULED.value
DUE = InstalmentStatus.DUE.value
OVERDUE = InstalmentStatus.OVERDUE.value
PAID = InstalmentStatus.PAID.value
LOAN_FIELDS = (
    "loan_id",
    "principal_overdue",
    "interest_accrued",
    "interest_carry",
    "interest_prepaid",
    "penalty_unpaid",
    "penalty_carry",
    "oldest_overdue_due",
    "days_past_due",
    "category",
)
INSTALMENT_FIELDS = ("loan_id", "number", "status", "interest", "paid_interest", "fee")
_LOAN_COLUMNS = (
    loans.c.loan_id,
    loans.c.lender_id,
    loans.c.currency,
    loans.c.product_id,
    loans.c.rate_e8,
    loans.c.penalty_rate_e8,
    loans.c.day_count,
    loans.c.flat,
    loans.c.disbursed,
    loans.c.principal_outstanding,
    loans.c.principal_overdue,
    loans.c.interest_accrued,
    loans.c.interest_carry,
    loans.c.interest_prepaid,
    loans.c.penalty_unpaid,
    loans.c.penalty_carry,
    loans.c.oldest_overdue_due,
    loans.c.days_past_due,
    loans.c.category,
    loans.c.restructured,
)


class _Rules:
    """Per-product rules the pass needs, looked up once per product."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.products: dict[str, tuple[Sequence[tuple[int, Category]], int, Category]] = {}

    def of(self, product_id: str) -> tuple[Sequence[tuple[int, Category]], int, Category]:
        found = self.products.get(product_id)
        if found is None:
            p = views.get_product(self.conn, product_id)
            found = self.products[product_id] = (
                p.classification,
                p.late_fee,
                p.restructured_category_min,
            )
        return found


def _chunk(conn: Connection, after: str | None) -> list[Any]:
    key = by_code_point(conn, loans.c.loan_id)
    stmt = (
        select(*_LOAN_COLUMNS)
        .where(loans.c.status == LoanStatus.ACTIVE.value)
        .order_by(key)
        .limit(LOANS_PER_CHUNK)
    )
    if after is not None:
        stmt = stmt.where(key > after)
    return list(conn.execute(stmt))


def _changing_instalments(
    conn: Connection, first: str, last: str, day: date
) -> dict[str, list[Any]]:
    key = by_code_point(conn, loan_instalments.c.loan_id)
    stmt = (
        select(loan_instalments)
        .where(
            or_(
                and_(
                    loan_instalments.c.status == SCHEDULED,
                    loan_instalments.c.due_date <= day + timedelta(days=1),
                ),
                and_(loan_instalments.c.status == DUE, loan_instalments.c.due_date <= day),
            ),
            key >= first,
            key <= last,
        )
        .order_by(key, loan_instalments.c.number)
    )
    by_loan: dict[str, list[Any]] = defaultdict(list)
    for row in conn.execute(stmt):
        by_loan[row.loan_id].append(row)
    return by_loan


class _Day:
    """Works out one day for loan after loan; collects event rows and the ledger totals."""

    def __init__(self, conn: Connection, day: date) -> None:
        self.day = day
        self.tomorrow = day + timedelta(days=1)
        self.rules = _Rules(conn)
        self.weights = {dc.value: day_weight(dc, day) for dc in DayCount}
        self.totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        self.loan_rows: list[list[Any]] = []
        self.instalment_rows: list[list[Any]] = []
        self.reclassified: list[list[Any]] = []

    def loan(self, ln: Any, changing: Sequence[Any]) -> None:
        weight = self.weights[ln.day_count]
        performing = ln.principal_outstanding - ln.principal_overdue
        base = ln.disbursed if ln.flat and ln.principal_outstanding else performing
        posted, interest_carry = divmod(
            base * ln.rate_e8 * weight + ln.interest_carry, ACCRUAL_DENOMINATOR
        )
        penalty, penalty_carry = divmod(
            ln.principal_overdue * ln.penalty_rate_e8 * weight + ln.penalty_carry,
            ACCRUAL_DENOMINATOR,
        )
        totals = self.totals[(ln.lender_id, ln.currency)]
        totals[0] += posted
        totals[1] += penalty
        accrued = ln.interest_accrued + posted
        prepaid = ln.interest_prepaid
        overdue = ln.principal_overdue
        oldest = ln.oldest_overdue_due
        table, late_fee, floor = self.rules.of(ln.product_id)
        for inst in changing:
            status, interest, paid_interest, fee = (
                inst.status,
                inst.interest,
                inst.paid_interest,
                inst.fee,
            )
            if status == SCHEDULED:
                interest = round_with_carry(accrued, interest_carry)
                totals[0] += interest - accrued
                paid_interest = min(prepaid, interest)
                prepaid -= paid_interest
                accrued = interest_carry = 0
                totals[2] += fee
                settled = (
                    inst.principal == inst.paid_principal and interest == paid_interest and fee == 0
                )
                status = PAID if settled else DUE
            if status == DUE and inst.due_date <= self.day:
                status = OVERDUE
                overdue += inst.principal - inst.paid_principal
                oldest = inst.due_date if oldest is None else min(oldest, inst.due_date)
                fee += late_fee
                totals[2] += late_fee
            self.instalment_rows.append(
                [ln.loan_id, inst.number, status, interest, paid_interest, fee]
            )
        dpd = days_past_due(oldest, self.tomorrow)
        category = classify(dpd, table)
        if ln.restructured:
            category = worse(category, floor)
        if category.value != ln.category:
            self.reclassified.append([ln.loan_id, ln.category, category.value, dpd])
        row = [
            ln.loan_id,
            overdue,
            accrued,
            interest_carry,
            prepaid,
            ln.penalty_unpaid + penalty,
            penalty_carry,
            None if oldest is None else oldest.isoformat(),
            dpd,
            category.value,
        ]
        unchanged = (
            overdue == ln.principal_overdue
            and accrued == ln.interest_accrued
            and interest_carry == ln.interest_carry
            and prepaid == ln.interest_prepaid
            and penalty == 0
            and penalty_carry == ln.penalty_carry
            and oldest == ln.oldest_overdue_due
            and dpd == ln.days_past_due
            and category.value == ln.category
        )
        if not unchanged:
            self.loan_rows.append(row)

    def event(self) -> Event:
        data = {
            "date": self.day.isoformat(),
            "loan_fields": list(LOAN_FIELDS),
            "loans": self.loan_rows,
            "instalment_fields": list(INSTALMENT_FIELDS),
            "instalments": self.instalment_rows,
            "reclassified": self.reclassified,
        }
        self.loan_rows, self.instalment_rows, self.reclassified = [], [], []
        return Event("lending.day_accrued", data)


def close_day(ctx: HandlerContext, day: date) -> Sequence[Event]:
    """Close-of-day hook: accrue, bill, age and classify every active loan; post the totals."""
    work = _Day(ctx.conn, day)
    events: list[Event] = []
    after: str | None = None
    for _ in range(CHUNKS_PER_DAY_MAX):
        chunk = _chunk(ctx.conn, after)
        if not chunk:
            break
        after = chunk[-1].loan_id
        changing = _changing_instalments(ctx.conn, chunk[0].loan_id, after, day)
        for ln in chunk:
            work.loan(ln, changing.get(ln.loan_id, ()))
        if work.loan_rows or work.instalment_rows:
            events.append(work.event())
    post = books.Postings(ctx.seq)
    for (lender, currency), (interest, penalty, fees) in sorted(work.totals.items()):
        post.book(lender, currency, books.INTEREST_RECEIVABLE, books.INTEREST_INCOME, interest)
        post.book(lender, currency, books.PENALTY_RECEIVABLE, books.PENALTY_INCOME, penalty)
        post.book(lender, currency, books.FEE_RECEIVABLE, books.FEE_INCOME, fees)
    events.extend(transfer_events(ctx.conn, post.requests, business_date=day))
    return events
