"""Revolving credit lines: the lender offers a limit, the borrower accepts it, then draws on it
(each draw is a loan under the line's product, paid to a payee the line names); repaying a
draw's principal makes the limit available again; the lender can freeze and unfreeze the line.
``available = limit − principal outstanding on the line's draws``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from puhui.kernel.commands import Event
from puhui.kernel.registry import HandlerContext
from puhui.lending import commands as c
from puhui.lending import views
from puhui.lending.errors import (
    CreditLineExists,
    ExceedsLimit,
    LineFrozen,
    LoanExists,
    NotLoanParty,
    PayeeNotInContract,
)
from puhui.lending.handlers import disbursement_events
from puhui.lending.model import Product, rate_e8
from puhui.lending.offers import check_amount_and_term, check_rate, offer
from puhui.parties import views as parties

OFFERED, ACTIVE, FROZEN, CLOSED = "offered", "active", "frozen", "closed"


def open_line(ctx: HandlerContext, p: c.OpenLine) -> Sequence[Event]:
    product = views.get_product(ctx.conn, p.product_id)
    if product.lender_id != ctx.command.actor:
        raise NotLoanParty(f"product {p.product_id} belongs to {product.lender_id}")
    if views.find_line(ctx.conn, p.line_id) is not None:
        raise CreditLineExists(f"credit line {p.line_id!r} already exists")
    parties.get_party(ctx.conn, p.borrower_id)
    check_amount_and_term(product, p.limit, p.term_periods)
    rate = check_rate(product, p.annual_rate)
    holidays = views.calendar(ctx.conn, product.calendar)
    offer(product, p.limit, p.term_periods, rate, ctx.business_date, holidays)
    for payee in p.payees:
        parties.get_party(ctx.conn, payee)
        if payee == p.borrower_id and not product.pay_borrower_allowed:
            raise PayeeNotInContract(f"product {p.product_id} never pays the borrower")
    data = {
        "line_id": p.line_id,
        "product_id": p.product_id,
        "borrower_id": p.borrower_id,
        "lender_id": ctx.command.actor,
        "currency": product.currency,
        "limit": p.limit,
        "annual_rate": str(rate),
        "term_periods": p.term_periods,
        "payees": sorted(set(p.payees)),
    }
    return [Event("lending.line_opened", data, (p.borrower_id, ctx.command.actor))]


def _line_status(ctx: HandlerContext, line_id: str, side: str, frm: set[str], to: str) -> Event:
    line = views.get_line(ctx.conn, line_id)
    owner = line.borrower_id if side == "borrower" else line.lender_id
    if ctx.command.actor != owner and not (
        side == "either" and ctx.command.actor in (line.borrower_id, line.lender_id)
    ):
        raise NotLoanParty(f"only the {side} of credit line {line_id} may do this")
    if line.status not in frm:
        raise LineFrozen(f"credit line {line_id} is {line.status}; this needs {sorted(frm)}")
    data = {"line_id": line_id, "status": to}
    return Event("lending.line_status", data, (line.borrower_id, line.lender_id))


def accept_line(ctx: HandlerContext, p: c.LineRef) -> Sequence[Event]:
    return [_line_status(ctx, p.line_id, "borrower", {OFFERED}, ACTIVE)]


def freeze_line(ctx: HandlerContext, p: c.LineRef) -> Sequence[Event]:
    return [_line_status(ctx, p.line_id, "lender", {ACTIVE}, FROZEN)]


def unfreeze_line(ctx: HandlerContext, p: c.LineRef) -> Sequence[Event]:
    return [_line_status(ctx, p.line_id, "lender", {FROZEN}, ACTIVE)]


def close_line(ctx: HandlerContext, p: c.LineRef) -> Sequence[Event]:
    return [_line_status(ctx, p.line_id, "either", {OFFERED, ACTIVE, FROZEN}, CLOSED)]


def draw(ctx: HandlerContext, p: c.Draw) -> Sequence[Event]:
    line = views.get_line(ctx.conn, p.line_id)
    if ctx.command.actor != line.borrower_id:
        raise NotLoanParty(f"only the borrower of credit line {p.line_id} may draw on it")
    if line.status != ACTIVE:
        raise LineFrozen(f"credit line {p.line_id} is {line.status}: no draws")
    if views.find_loan(ctx.conn, p.loan_id) is not None:
        raise LoanExists(f"loan {p.loan_id!r} already exists")
    available = line.limit_amount - views.line_drawn(ctx.conn, p.line_id)
    if not 0 < p.amount <= available:
        raise ExceedsLimit(
            f"drawing {p.amount} on {p.line_id}; {available} is available", available=available
        )
    product = views.get_product(ctx.conn, line.product_id)
    if p.payee_id not in json.loads(line.payees) and not (
        p.payee_id == line.borrower_id and product.pay_borrower_allowed
    ):
        raise PayeeNotInContract(f"{p.payee_id} is not a payee of credit line {p.line_id}")
    loan, events = contract_events(
        product,
        loan_id=p.loan_id,
        borrower_id=line.borrower_id,
        amount=p.amount,
        annual_rate=Decimal(line.annual_rate),
        term_periods=line.term_periods,
        payees=[p.payee_id],
        purpose=f"draw on {p.line_id}",
        line_id=p.line_id,
    )
    return [
        *events,
        *disbursement_events(ctx, loan, product, "draw", p.amount, p.payee_id),
    ]


def contract_events(
    product: Product,
    *,
    loan_id: str,
    borrower_id: str,
    amount: int,
    annual_rate: Decimal,
    term_periods: int,
    payees: Sequence[str],
    purpose: str,
    line_id: str | None = None,
    controller: str | None = None,
) -> tuple[SimpleNamespace, list[Event]]:
    """A loan applied for, approved and contracted in one step, under terms the lender agreed
    beforehand (a credit line, a programme's plan): the events and the loan as the disbursement
    needs it. With ``controller`` (a context name) only that context may draw its tranches
    (``disbursement_events(..., controller=...)``); ``lending.disburse`` is refused."""
    contract: dict[str, Any] = {
        "payees": [{"party_id": x, "amount_max": None} for x in payees],
        "purpose": purpose,
        "custom_principal": [],
    }
    if controller is not None:
        contract["controller"] = controller
    loan = SimpleNamespace(
        loan_id=loan_id,
        product_id=product.product_id,
        borrower_id=borrower_id,
        lender_id=product.lender_id,
        currency=product.currency,
        amount_approved=amount,
        amount_requested=amount,
        term_periods=term_periods,
        annual_rate=str(annual_rate),
        decision_ref=None,
        contract=json.dumps(contract),
        disbursed=0,
        principal_outstanding=0,
        anchor_date=None,
    )
    digest = views.digest_of(views.contract_terms(vars(loan), product))
    named = (borrower_id, product.lender_id)
    applied = {
        "loan_id": loan_id,
        "product_id": product.product_id,
        "borrower_id": borrower_id,
        "lender_id": product.lender_id,
        "currency": product.currency,
        "amount": amount,
        "term_periods": term_periods,
        "day_count": product.day_count.value,
        "flat": product.interest_method.value == "flat",
        "contract": contract,
    }
    if line_id is not None:
        applied["line_id"] = line_id
    approved = {
        "loan_id": loan_id,
        "amount": amount,
        "annual_rate": str(annual_rate),
        "rate_e8": rate_e8(annual_rate),
        "penalty_rate_e8": rate_e8(product.penalty_rate),
        "credit_decision_id": None,
        "apr": None,
        "total_interest": None,
        "total_cost": None,
        "contract_digest": digest,
    }
    events = [
        Event("lending.applied", applied, named),
        Event("lending.approved", approved, named),
        Event("lending.contracted", {"loan_id": loan_id}, named),
    ]
    return loan, events
