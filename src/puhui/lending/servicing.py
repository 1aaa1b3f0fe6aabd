"""Handlers of loan servicing: repayment (allocated by the product's order, the rest prepaying
accrued interest and then principal), write-off, recovery and restructure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from puhui.accounts import transfer_events
from puhui.kernel.commands import Event
from puhui.kernel.registry import HandlerContext
from puhui.lending import books, plans, views
from puhui.lending import commands as c
from puhui.lending.errors import (
    DuplicateObjectId,
    ExceedsOwed,
    InvalidLoanTerms,
    LoanNotInState,
    NotLoanParty,
)
from puhui.lending.model import InstalmentStatus, LoanStatus, Product, rate_e8
from puhui.lending.offers import check_rate
from puhui.lending.rules import Component, Due, allocate, days_past_due, principal_after_prepayment
from puhui.lending.schedule import TERM_PERIODS_MAX

OVERDUE = InstalmentStatus.OVERDUE.value


def _active(ctx: HandlerContext, loan_id: str, status: LoanStatus, doing: str) -> Any:
    loan = views.get_loan(ctx.conn, loan_id)
    if loan.status != status.value:
        raise LoanNotInState(
            f"loan {loan_id} is {loan.status}: cannot {doing} (needs {status.value})",
            status=loan.status,
        )
    return loan


def _unpaid(row: Any) -> dict[Component, int]:
    return {
        Component.FEE: row.fee - row.paid_fee,
        Component.INTEREST: row.interest - row.paid_interest,
        Component.PRINCIPAL: row.principal - row.paid_principal,
    }


def _dues(loan: Any, billed: Sequence[Any]) -> list[Due]:
    """Billed instalments' unpaid parts; the loan's penalty rides on the oldest of them."""
    dues = [Due(r.number, r.due_date, _unpaid(r)) for r in billed]
    if loan.penalty_unpaid:
        if dues:
            first = dues[0]
            dues[0] = Due(
                first.number, first.due, {**first.amounts, Component.PENALTY: loan.penalty_unpaid}
            )
        else:
            dues.append(Due(-1, date.min, {Component.PENALTY: loan.penalty_unpaid}))
    return dues


def _ageing(rows: Sequence[dict[str, Any]], today: date) -> tuple[int, date | None, int]:
    """Principal overdue, the oldest overdue due date with anything unpaid, days past due."""
    overdue = [r for r in rows if r["status"] == OVERDUE]
    principal = sum(r["principal"] - r["paid_principal"] for r in overdue)
    oldest = min((r["due_date"] for r in overdue), default=None)
    return principal, oldest, days_past_due(oldest, today)


def _row_state(r: Any, paid: dict[Component, int]) -> dict[str, Any]:
    state = {
        "number": r.number,
        "due_date": r.due_date,
        "principal": r.principal,
        "interest": r.interest,
        "fee": r.fee,
        "paid_principal": r.paid_principal + paid.get(Component.PRINCIPAL, 0),
        "paid_interest": r.paid_interest + paid.get(Component.INTEREST, 0),
        "paid_fee": r.paid_fee + paid.get(Component.FEE, 0),
        "status": r.status,
    }
    settled = (
        state["paid_principal"] == r.principal
        and state["paid_interest"] == r.interest
        and state["paid_fee"] == r.fee
    )
    if settled:
        state["status"] = InstalmentStatus.PAID.value
    return state


def _payment_to_lender(ctx: HandlerContext, loan: Any, amount: int) -> books.Postings:
    """The signer's cash to the lender's cash: the money side of a repayment or recovery."""
    post = books.Postings(ctx.seq, f"loan:{loan.loan_id}")
    post.add(
        books.cash_account(ctx.conn, ctx.command.actor, loan.currency),
        books.cash_account(ctx.conn, loan.lender_id, loan.currency),
        amount,
    )
    return post


def repay(ctx: HandlerContext, p: c.Repay) -> Sequence[Event]:
    return repayment_events(ctx, p.loan_id, p.repayment_id, p.amount)


def repayment_events(
    ctx: HandlerContext,
    loan_id: str,
    repayment_id: str,
    amount: int,
    *,
    remainder_to: str | None = None,
) -> list[Event]:
    """The signer pays ``amount`` on ``loan_id`` from its cash account.

    Without ``remainder_to`` more than the settlement quote is refused. With it (penetrating
    payment: a buyer pays for the borrower's goods) the lender is paid first, up to the whole
    settlement quote, the rest goes to ``remainder_to``'s cash account (payee-bound), and a
    loan settled this way is closed even if not all of it was drawn (the rest is cancelled).
    """
    loan = _active(ctx, loan_id, LoanStatus.ACTIVE, "repay")
    if amount <= 0:
        raise InvalidLoanTerms(f"a repayment must be positive, got {amount}")
    if views.used_object_ids(ctx.conn, loan_id, repayment_id):
        raise DuplicateObjectId(f"repayment {repayment_id} of {loan_id} is already recorded")
    remainder = 0
    if remainder_to is not None:
        quote = views.owed(loan, views.instalments(ctx.conn, loan_id))["total"]
        remainder = max(0, amount - quote)
        amount -= remainder
    p = c.Repay(loan_id=loan_id, repayment_id=repayment_id, amount=amount)
    product = views.get_product(ctx.conn, loan.product_id)
    rows = views.instalments(ctx.conn, p.loan_id)
    billed = sorted(
        (r for r in rows if r.status in views.BILLED), key=lambda r: (r.due_date, r.number)
    )
    allocation = allocate(
        p.amount, _dues(loan, billed), product.allocation_order, product.allocation_style
    )
    paid: dict[int, dict[Component, int]] = {}
    for number, component, amount in allocation.parts:
        paid.setdefault(number, {})[component] = amount
    left = allocation.unallocated
    owed = views.owed(loan, rows)
    prepaid_interest = prepaid_principal = 0
    events: list[Event] = []
    if left:
        if not product.prepayment_allowed:
            raise ExceedsOwed(
                f"{left} more than is due; product {product.product_id} allows no prepayment",
                owed=owed["total"] - left,
            )
        prepaid_interest = min(left, loan.interest_accrued - loan.interest_prepaid)
        unbilled_principal = loan.principal_outstanding - owed["principal_billed"]
        prepaid_principal = min(left - prepaid_interest, unbilled_principal)
        if left - prepaid_interest - prepaid_principal:
            raise ExceedsOwed(
                f"repaying {p.amount}, but loan {p.loan_id} owes {owed['total']} in all "
                "(the early settlement quote)",
                owed=owed["total"],
            )
    states = [_row_state(r, paid.get(r.number, {})) for r in billed]
    principal_overdue, oldest, dpd = _ageing(states, ctx.business_date)
    totals = {comp.value: allocation.total(comp) for comp in Component}
    totals["interest"] += prepaid_interest
    totals["principal"] += prepaid_principal
    data = {
        "loan_id": p.loan_id,
        "repayment_id": p.repayment_id,
        "payer_id": ctx.command.actor,
        "amount": p.amount,
        **totals,
        "prepaid_interest": prepaid_interest,
        "prepaid_principal": prepaid_principal,
        "instalments": [
            [s["number"], s["paid_principal"], s["paid_interest"], s["paid_fee"], s["status"]]
            for s in states
            if paid.get(s["number"])
        ],
        "principal_overdue": principal_overdue,
        "oldest_overdue_due": None if oldest is None else oldest.isoformat(),
        "days_past_due": dpd,
    }
    if remainder_to is not None:
        data |= {"remainder": remainder, "remainder_to": remainder_to}
    named_set = {loan.borrower_id, loan.lender_id, ctx.command.actor}
    named = tuple(sorted(named_set | ({remainder_to} if remainder_to else set())))
    events.append(Event("lending.repaid", data, named))
    if prepaid_principal:
        remaining = plans.unbilled(rows)
        parts = principal_after_prepayment(
            [r.principal for r in remaining], prepaid_principal, product.prepayment_policy
        )
        schedule = plans.with_parts(product, loan, rows, parts, Decimal(loan.annual_rate))
        events.append(
            Event("lending.schedule_set", {"loan_id": p.loan_id, "instalments": schedule})
        )
    post = _payment_to_lender(ctx, loan, p.amount)
    books.book_parts(post, loan.lender_id, loan.currency, books.FUND_SOURCE, list(totals.items()))
    if remainder_to is not None and remainder:
        post.add(
            books.cash_account(ctx.conn, ctx.command.actor, loan.currency),
            books.cash_account(ctx.conn, remainder_to, loan.currency),
            remainder,
            payee=remainder_to,
        )
    events.extend(transfer_events(ctx.conn, post.requests, business_date=ctx.business_date))
    settled = owed["total"] == p.amount and (
        loan.disbursed == loan.amount_approved or remainder_to is not None
    )
    if settled:
        events.append(
            Event("lending.closed", {"loan_id": p.loan_id}, (loan.borrower_id, loan.lender_id))
        )
    return events


def write_off(ctx: HandlerContext, p: c.WriteOff) -> Sequence[Event]:
    loan = _active(ctx, p.loan_id, LoanStatus.ACTIVE, "write off")
    if ctx.command.actor != loan.lender_id:
        raise NotLoanParty(f"only the lender of {p.loan_id} may write it off")
    owed = views.owed(loan, views.instalments(ctx.conn, p.loan_id))
    parts = [(k, owed[k]) for k in ("principal", "interest", "fee", "penalty")]
    post = books.Postings(ctx.seq, f"loan:{p.loan_id}")
    books.book_parts(post, loan.lender_id, loan.currency, books.WRITEOFF_EXPENSE, parts)
    data = {"loan_id": p.loan_id, "reason": p.reason, **dict(parts), "total": owed["total"]}
    return [
        Event("lending.written_off", data, (loan.borrower_id, loan.lender_id)),
        *transfer_events(ctx.conn, post.requests, business_date=ctx.business_date),
    ]


def recover(ctx: HandlerContext, p: c.Recover) -> Sequence[Event]:
    loan = _active(ctx, p.loan_id, LoanStatus.WRITTEN_OFF, "record a recovery")
    if p.amount <= 0:
        raise InvalidLoanTerms(f"a recovery must be positive, got {p.amount}")
    if views.used_object_ids(ctx.conn, p.loan_id, p.recovery_id):
        raise DuplicateObjectId(f"recovery {p.recovery_id} of {p.loan_id} is already recorded")
    left = loan.written_off - loan.recovered
    if p.amount > left:
        raise ExceedsOwed(
            f"{left} of the written-off {loan.written_off} is left to recover", owed=left
        )
    post = _payment_to_lender(ctx, loan, p.amount)
    post.book(loan.lender_id, loan.currency, books.FUND_SOURCE, books.RECOVERY_INCOME, p.amount)
    data = {
        "loan_id": p.loan_id,
        "recovery_id": p.recovery_id,
        "payer_id": ctx.command.actor,
        "amount": p.amount,
    }
    named = tuple(sorted({loan.borrower_id, loan.lender_id, ctx.command.actor}))
    return [
        Event("lending.recovered", data, named),
        *transfer_events(ctx.conn, post.requests, business_date=ctx.business_date),
    ]


def restructure(ctx: HandlerContext, p: c.Restructure) -> Sequence[Event]:
    loan = _active(ctx, p.loan_id, LoanStatus.ACTIVE, "restructure")
    if ctx.command.actor != loan.lender_id:
        raise NotLoanParty(f"only the lender of {p.loan_id} may restructure it")
    if not 1 <= p.term_periods <= TERM_PERIODS_MAX:
        raise InvalidLoanTerms(f"the new term must be 1..{TERM_PERIODS_MAX} periods")
    product: Product = views.get_product(ctx.conn, loan.product_id)
    rate = (
        Decimal(loan.annual_rate) if p.annual_rate is None else check_rate(product, p.annual_rate)
    )
    rows = views.instalments(ctx.conn, p.loan_id)
    billed = [r for r in rows if r.status in views.BILLED]
    arrears = {
        "interest": sum(r.interest - r.paid_interest for r in billed)
        if p.capitalise_arrears
        else 0,
        "fee": sum(r.fee - r.paid_fee for r in billed) if p.capitalise_arrears else 0,
        "penalty": loan.penalty_unpaid if p.capitalise_arrears else 0,
    }
    principal = loan.principal_outstanding + sum(arrears.values())
    rolled = []
    for r in billed:
        if p.capitalise_arrears:
            rolled.append([r.number, r.paid_principal, r.paid_interest, r.paid_fee, "restructured"])
        else:
            left = r.interest - r.paid_interest + r.fee - r.paid_fee
            status = r.status if left else InstalmentStatus.RESTRUCTURED.value
            rolled.append([r.number, r.paid_principal, r.interest, r.fee, status])
    remaining = [
        {"status": x[4], "due_date": r.due_date, "principal": x[1], "paid_principal": x[1]}
        for r, x in zip(billed, rolled, strict=True)
    ]
    _, oldest, dpd = _ageing(remaining, ctx.business_date)
    holidays = views.calendar(ctx.conn, product.calendar)
    dues = plans.first_dues(product, ctx.business_date, p.term_periods, holidays)
    first_number = max((r.number for r in rows), default=0) + 1
    schedule = plans.rows_on(
        product, principal, rate, ctx.business_date, dues, first_number, grace=0
    )
    post = books.Postings(ctx.seq, f"loan:{p.loan_id}")
    books.book_parts(post, loan.lender_id, loan.currency, books.PRINCIPAL, list(arrears.items()))
    data = {
        "loan_id": p.loan_id,
        "annual_rate": str(rate),
        "rate_e8": rate_e8(rate),
        "term_periods": p.term_periods,
        "capitalised": arrears,
        "principal": principal,
        "rolled": rolled,
        "oldest_overdue_due": None if oldest is None else oldest.isoformat(),
        "days_past_due": dpd,
    }
    return [
        Event("lending.restructured", data, (loan.borrower_id, loan.lender_id)),
        Event("lending.schedule_set", {"loan_id": p.loan_id, "instalments": schedule}),
        *transfer_events(ctx.conn, post.requests, business_date=ctx.business_date),
    ]
