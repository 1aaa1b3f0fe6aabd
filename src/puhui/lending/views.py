"""Read functions of the lending context: products, calendars, loans, schedules, statements,
settlement quotes, the portfolio by category, its concentration and the reconciliation with the
ledger."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import Connection, func, select

from puhui.accounts import views as accounts
from puhui.kernel.canonical import canonical_json
from puhui.lending import books
from puhui.lending.calendar import WEEKENDS_ONLY, HolidayCalendar
from puhui.lending.errors import UnknownCalendar, UnknownCreditLine, UnknownLoan, UnknownProduct
from puhui.lending.model import WEEKENDS_CALENDAR, InstalmentStatus, LoanStatus, Product
from puhui.lending.tables import (
    calendar_days,
    credit_lines,
    holiday_calendars,
    loan_classifications,
    loan_instalments,
    loan_products,
    loan_transactions,
    loans,
)
from puhui.parties.tables import parties

PAGE_SIZE_MAX = 500
CONCENTRATION_ROWS_MAX = 50
ConcentrationBy = Literal["lender", "borrower", "region"]
BILLED = (InstalmentStatus.DUE.value, InstalmentStatus.OVERDUE.value)


def _page(limit: int) -> int:
    return max(1, min(limit, PAGE_SIZE_MAX))


def find_product(conn: Connection, product_id: str) -> Product | None:
    row = conn.execute(
        select(loan_products.c.definition).where(loan_products.c.product_id == product_id)
    ).first()
    return None if row is None else Product.from_json(json.loads(row.definition))


def get_product(conn: Connection, product_id: str) -> Product:
    found = find_product(conn, product_id)
    if found is None:
        raise UnknownProduct(f"no loan product {product_id!r}")
    return found


def list_products(
    conn: Connection, *, lender_id: str | None = None, after: str | None = None, limit: int = 100
) -> list[Product]:
    stmt = select(loan_products.c.definition).order_by(loan_products.c.product_id)
    if lender_id is not None:
        stmt = stmt.where(loan_products.c.lender_id == lender_id)
    if after is not None:
        stmt = stmt.where(loan_products.c.product_id > after)
    rows = conn.execute(stmt.limit(_page(limit)))
    return [Product.from_json(json.loads(r.definition)) for r in rows]


def calendar(conn: Connection, name: str) -> HolidayCalendar:
    """The holiday calendar named ``name`` as loaded on the record (``weekends`` is built in)."""
    if name == WEEKENDS_CALENDAR:
        return WEEKENDS_ONLY
    head = conn.execute(select(holiday_calendars).where(holiday_calendars.c.name == name)).first()
    if head is None:
        raise UnknownCalendar(f"no holiday calendar {name!r}; load it with lending.load_calendar")
    days = conn.execute(
        select(calendar_days.c.day, calendar_days.c.kind).where(calendar_days.c.name == name)
    ).all()
    return HolidayCalendar(
        name,
        frozenset(d.day for d in days if d.kind == "holiday"),
        frozenset(d.day for d in days if d.kind == "workday"),
        frozenset(int(y) for y in head.years.split(",") if y),
    )


def find_loan(conn: Connection, loan_id: str) -> Any:
    return conn.execute(select(loans).where(loans.c.loan_id == loan_id)).first()


def get_loan(conn: Connection, loan_id: str) -> Any:
    row = find_loan(conn, loan_id)
    if row is None:
        raise UnknownLoan(f"no loan {loan_id!r}")
    return row


def instalments(conn: Connection, loan_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(loan_instalments)
            .where(loan_instalments.c.loan_id == loan_id)
            .order_by(loan_instalments.c.number)
        )
    )


def used_object_ids(conn: Connection, loan_id: str, object_id: str) -> bool:
    row = conn.execute(
        select(loan_transactions.c.seq).where(
            loan_transactions.c.loan_id == loan_id, loan_transactions.c.object_id == object_id
        )
    ).first()
    return row is not None


def tranches(conn: Connection, loan_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(loan_transactions).where(
                loan_transactions.c.loan_id == loan_id, loan_transactions.c.kind == "disbursement"
            )
        )
    )


def contract_terms(loan: Mapping[str, Any], product: Product) -> dict[str, Any]:
    """What borrower and lender sign: the product, the parties and the approved terms."""
    return {
        "loan_id": loan["loan_id"],
        "product": product.to_json(),
        "borrower_id": loan["borrower_id"],
        "lender_id": loan["lender_id"],
        "currency": loan["currency"],
        "amount": loan["amount_approved"],
        "term_periods": loan["term_periods"],
        "annual_rate": loan["annual_rate"],
        "decision_ref": loan["decision_ref"],
        "contract": json.loads(loan["contract"]),
    }


def digest_of(terms: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(terms)).hexdigest()


def owed(loan: Any, rows: Sequence[Any]) -> dict[str, int]:
    """What the loan owes today by component, and in total (the early settlement quote).

    Billed instalments' unpaid parts, penalty, interest accrued but not billed (less what was
    paid ahead) and principal not yet billed. Today's accrual is posted at the close of day.
    """
    billed = [r for r in rows if r.status in BILLED]
    billed_principal = sum(r.principal - r.paid_principal for r in billed)
    parts = {
        "principal": loan.principal_outstanding,
        "interest": sum(r.interest - r.paid_interest for r in billed)
        + loan.interest_accrued
        - loan.interest_prepaid,
        "fee": sum(r.fee - r.paid_fee for r in billed),
        "penalty": loan.penalty_unpaid,
    }
    parts["principal_billed"] = billed_principal
    parts["total"] = parts["principal"] + parts["interest"] + parts["fee"] + parts["penalty"]
    return parts


def settlement_quote(conn: Connection, loan_id: str, today: date) -> dict[str, Any]:
    loan = get_loan(conn, loan_id)
    parts = owed(loan, instalments(conn, loan_id))
    return {"loan_id": loan_id, "as_of": today.isoformat(), "currency": loan.currency, **parts}


def loan_json(loan: Any) -> dict[str, Any]:
    data = {k: v for k, v in loan._mapping.items() if k != "contract"}
    for key in ("anchor_date", "oldest_overdue_due"):
        data[key] = None if data[key] is None else data[key].isoformat()
    data["contract"] = json.loads(loan.contract)
    return data


def instalment_json(row: Any) -> dict[str, Any]:
    return {
        "number": row.number,
        "due_date": row.due_date.isoformat(),
        "status": row.status,
        "principal": row.principal,
        "interest": row.interest,
        "fee": row.fee,
        "paid_principal": row.paid_principal,
        "paid_interest": row.paid_interest,
        "paid_fee": row.paid_fee,
        "total": row.principal + row.interest + row.fee,
    }


def statement(conn: Connection, loan_id: str) -> dict[str, Any]:
    """The loan, its schedule, its transactions and classification history."""
    loan = get_loan(conn, loan_id)
    rows = instalments(conn, loan_id)
    txns = conn.execute(
        select(loan_transactions)
        .where(loan_transactions.c.loan_id == loan_id)
        .order_by(loan_transactions.c.seq, loan_transactions.c.line)
    ).all()
    history = conn.execute(
        select(loan_classifications)
        .where(loan_classifications.c.loan_id == loan_id)
        .order_by(loan_classifications.c.seq)
    ).all()
    return {
        "loan": loan_json(loan),
        "owed": owed(loan, rows),
        "schedule": [instalment_json(r) for r in rows],
        "transactions": [
            {
                "seq": t.seq,
                "line": t.line,
                "business_date": t.business_date.isoformat(),
                "kind": t.kind,
                "object_id": t.object_id,
                "amount": t.amount,
                "principal": t.principal,
                "interest": t.interest,
                "fee": t.fee,
                "penalty": t.penalty,
                "party_id": t.party_id,
                "note": t.note,
            }
            for t in txns
        ],
        "classification_history": [
            {
                "seq": h.seq,
                "business_date": h.business_date.isoformat(),
                "from": h.previous,
                "to": h.category,
                "days_past_due": h.days_past_due,
            }
            for h in history
        ],
    }


def list_loans(
    conn: Connection,
    *,
    party_id: str | None = None,
    status: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    stmt = select(loans).order_by(loans.c.loan_id).limit(_page(limit))
    if party_id is not None:
        stmt = stmt.where((loans.c.borrower_id == party_id) | (loans.c.lender_id == party_id))
    if status is not None:
        stmt = stmt.where(loans.c.status == status)
    if after is not None:
        stmt = stmt.where(loans.c.loan_id > after)
    return [loan_json(r) for r in conn.execute(stmt)]


def portfolio(conn: Connection, lender_id: str | None = None) -> list[dict[str, Any]]:
    """Active loans by currency and category: count, principal outstanding, overdue."""
    stmt = (
        select(
            loans.c.currency,
            loans.c.category,
            func.count(),
            func.coalesce(func.sum(loans.c.principal_outstanding), 0),
            func.coalesce(func.sum(loans.c.principal_overdue), 0),
        )
        .where(loans.c.status == LoanStatus.ACTIVE.value)
        .group_by(loans.c.currency, loans.c.category)
        .order_by(loans.c.currency, loans.c.category)
    )
    if lender_id is not None:
        stmt = stmt.where(loans.c.lender_id == lender_id)
    return [
        {
            "currency": r[0],
            "category": r[1],
            "loans": int(r[2]),
            "principal_outstanding": int(r[3]),
            "principal_overdue": int(r[4]),
        }
        for r in conn.execute(stmt)
    ]


def concentration(conn: Connection, by: ConcentrationBy) -> list[dict[str, Any]]:
    """Active loans grouped by lender, borrower or the borrower's region (its administrative
    code), largest principal outstanding first, at most ``CONCENTRATION_ROWS_MAX`` groups per
    currency. Shares are left to the reader: the totals are in :func:`portfolio`."""
    key = {
        "lender": loans.c.lender_id,
        "borrower": loans.c.borrower_id,
        "region": func.coalesce(parties.c.region, ""),
    }[by]
    active = loans.c.status == LoanStatus.ACTIVE.value
    currencies = conn.execute(select(loans.c.currency).where(active).distinct()).scalars()
    principal = func.coalesce(func.sum(loans.c.principal_outstanding), 0)
    rows: list[dict[str, Any]] = []
    for currency in sorted(currencies):
        stmt = (
            select(key, func.count(), principal, func.sum(loans.c.principal_overdue))
            .select_from(loans.join(parties, parties.c.party_id == loans.c.borrower_id))
            .where(active, loans.c.currency == currency)
            .group_by(key)
            .order_by(principal.desc(), key)
            .limit(CONCENTRATION_ROWS_MAX)
        )
        rows += [
            {
                "currency": currency,
                "key": group or None,
                "loans": int(count),
                "principal_outstanding": int(outstanding),
                "principal_overdue": int(overdue or 0),
            }
            for group, count, outstanding, overdue in conn.execute(stmt)
        ]
    return rows


def reconcile(conn: Connection, lender_id: str, currency: str) -> dict[str, int]:
    """The lender's loan-book balances beside the sums of its loans (they must be equal)."""
    active = select(
        func.coalesce(func.sum(loans.c.principal_outstanding), 0),
        func.coalesce(func.sum(loans.c.penalty_unpaid), 0),
        func.coalesce(func.sum(loans.c.interest_accrued - loans.c.interest_prepaid), 0),
    ).where(
        loans.c.lender_id == lender_id,
        loans.c.currency == currency,
        loans.c.status == LoanStatus.ACTIVE.value,
    )
    principal, penalty, accrued = conn.execute(active).one()
    billed = conn.execute(
        select(
            func.coalesce(
                func.sum(loan_instalments.c.interest - loan_instalments.c.paid_interest), 0
            ),
            func.coalesce(func.sum(loan_instalments.c.fee - loan_instalments.c.paid_fee), 0),
        )
        .join(loans, loans.c.loan_id == loan_instalments.c.loan_id)
        .where(
            loans.c.lender_id == lender_id,
            loans.c.currency == currency,
            loans.c.status == LoanStatus.ACTIVE.value,
            loan_instalments.c.status.in_(BILLED),
        )
    ).one()

    def balance(purpose: str) -> int:
        found = accounts.find_account(conn, books.book_account(lender_id, purpose, currency))
        return 0 if found is None else found.balance

    return {
        "principal_loans": int(principal),
        "principal_ledger": balance(books.PRINCIPAL),
        "interest_loans": int(accrued) + int(billed[0]),
        "interest_ledger": balance(books.INTEREST_RECEIVABLE),
        "fee_loans": int(billed[1]),
        "fee_ledger": balance(books.FEE_RECEIVABLE),
        "penalty_loans": int(penalty),
        "penalty_ledger": balance(books.PENALTY_RECEIVABLE),
    }


def find_line(conn: Connection, line_id: str) -> Any:
    return conn.execute(select(credit_lines).where(credit_lines.c.line_id == line_id)).first()


def get_line(conn: Connection, line_id: str) -> Any:
    row = find_line(conn, line_id)
    if row is None:
        raise UnknownCreditLine(f"no credit line {line_id!r}")
    return row


def line_drawn(conn: Connection, line_id: str) -> int:
    """Principal outstanding on the line's draws: what counts against its limit."""
    value = conn.execute(
        select(func.coalesce(func.sum(loans.c.principal_outstanding), 0)).where(
            loans.c.line_id == line_id, loans.c.status == LoanStatus.ACTIVE.value
        )
    ).scalar()
    return int(value or 0)


def line_json(conn: Connection, line_id: str) -> dict[str, Any]:
    row = get_line(conn, line_id)
    drawn = line_drawn(conn, line_id)
    data = dict(row._mapping)
    data["payees"] = json.loads(row.payees)
    data["drawn"] = drawn
    data["available"] = max(0, row.limit_amount - drawn)
    return data
