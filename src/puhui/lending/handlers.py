"""Handlers of the loan lifecycle: products, calendars, apply → approve → sign (borrower and
lender) → disburse in tranches to named payees → close. Servicing (repay, write-off, recovery,
restructure) is in ``servicing``, credit lines in ``lines``, the close of day in ``closeday``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from puhui.accounts import open_account_events, transfer_events
from puhui.kernel.commands import Event
from puhui.kernel.registry import HandlerContext
from puhui.lending import books, plans, views
from puhui.lending import commands as c
from puhui.lending.errors import (
    ContractMismatch,
    DuplicateObjectId,
    ExceedsApproved,
    InvalidLoanTerms,
    LoanControlled,
    LoanExists,
    LoanNotInState,
    NotLoanParty,
    PayeeNotInContract,
    ProductExists,
)
from puhui.lending.model import (
    LoanStatus,
    Product,
    rate_e8,
)
from puhui.lending.offers import check_amount_and_term, check_rate, offer
from puhui.lending.schedule import Amortisation, proportional
from puhui.parties import views as parties

# ---- products and calendars ----------------------------------------------------------------


def define_product(ctx: HandlerContext, p: c.DefineProduct) -> Sequence[Event]:
    definition = p.model_dump(mode="json", exclude_none=True)
    definition["lender_id"] = ctx.command.actor
    product = Product.from_json(definition)
    if views.find_product(ctx.conn, p.product_id) is not None:
        raise ProductExists(f"loan product {p.product_id!r} already exists")
    views.calendar(ctx.conn, product.calendar)
    books_opened = open_account_events(
        ctx.conn, books.book_specs(ctx.command.actor, product.currency)
    )
    return [Event("lending.product_defined", product.to_json()), *books_opened]


def load_calendar(ctx: HandlerContext, p: c.LoadCalendar) -> Sequence[Event]:
    years = sorted(set(p.years))
    problems = [
        f"{d} is not in the years {years}"
        for d in [*p.holidays, *p.workdays]
        if d.year not in years
    ]
    problems += [f"workday {d} is not a Saturday or Sunday" for d in p.workdays if d.weekday() < 5]
    problems += [f"{d} is both a holiday and a workday" for d in set(p.holidays) & set(p.workdays)]
    if problems:
        raise InvalidLoanTerms("calendar: " + "; ".join(problems[:5]), problems=problems[:20])
    data = {
        "name": p.name,
        "years": years,
        "holidays": sorted(d.isoformat() for d in set(p.holidays)),
        "workdays": sorted(d.isoformat() for d in set(p.workdays)),
    }
    return [Event("lending.calendar_loaded", data)]


# ---- lifecycle ---------------------------------------------------------------------------------


def apply(ctx: HandlerContext, p: c.Apply) -> Sequence[Event]:
    product = views.get_product(ctx.conn, p.product_id)
    if views.find_loan(ctx.conn, p.loan_id) is not None:
        raise LoanExists(f"loan {p.loan_id!r} already exists")
    check_amount_and_term(product, p.amount, p.term_periods)
    borrower = ctx.command.actor
    if product.amortisation is Amortisation.CUSTOM:
        if len(p.custom_principal) != p.term_periods or sum(p.custom_principal) != p.amount:
            raise InvalidLoanTerms(
                "custom principal needs one part per period summing to the amount"
            )
        if any(x < 0 for x in p.custom_principal):
            raise InvalidLoanTerms("custom principal parts cannot be negative")
    elif p.custom_principal:
        raise InvalidLoanTerms("custom principal parts are only for a custom-schedule product")
    payees = [x.model_dump() for x in p.payees]
    if len({x["party_id"] for x in payees}) != len(payees):
        raise InvalidLoanTerms("a payee is named twice")
    for payee in payees:
        parties.get_party(ctx.conn, payee["party_id"])
        if payee["party_id"] == borrower and not product.pay_borrower_allowed:
            raise PayeeNotInContract(f"product {product.product_id} never pays the borrower")
        if payee["amount_max"] is not None and not 0 < payee["amount_max"] <= p.amount:
            raise InvalidLoanTerms(f"payee {payee['party_id']}: amount_max must be 1..{p.amount}")
    if not payees and not product.pay_borrower_allowed:
        raise PayeeNotInContract("name at least one payee: this product never pays the borrower")
    contract = {"payees": payees, "purpose": p.purpose, "custom_principal": p.custom_principal}
    data = {
        "loan_id": p.loan_id,
        "product_id": p.product_id,
        "borrower_id": borrower,
        "lender_id": product.lender_id,
        "currency": product.currency,
        "amount": p.amount,
        "term_periods": p.term_periods,
        "day_count": product.day_count.value,
        "flat": product.interest_method.value == "flat",
        "contract": contract,
    }
    named = tuple(sorted({borrower, product.lender_id, *(x["party_id"] for x in payees)}))
    return [Event("lending.applied", data, named)]


def _loan_for(ctx: HandlerContext, loan_id: str, *, side: str, states: set[LoanStatus]) -> Any:
    loan = views.get_loan(ctx.conn, loan_id)
    who = {"lender": loan.lender_id, "borrower": loan.borrower_id}
    allowed = {who[s] for s in side.split("|")}
    if ctx.command.actor not in allowed:
        raise NotLoanParty(f"only the {side.replace('|', ' or ')} of {loan_id} may do this")
    if LoanStatus(loan.status) not in states:
        raise LoanNotInState(
            f"loan {loan_id} is {loan.status}; this needs {sorted(s.value for s in states)}",
            status=loan.status,
        )
    return loan


def approve(ctx: HandlerContext, p: c.Approve) -> Sequence[Event]:
    loan = _loan_for(ctx, p.loan_id, side="lender", states={LoanStatus.APPLIED})
    product = views.get_product(ctx.conn, loan.product_id)
    rate = check_rate(product, p.annual_rate)
    amount = loan.amount_requested if p.amount is None else p.amount
    if amount > loan.amount_requested:
        raise ExceedsApproved(
            f"approving {amount}, more than the {loan.amount_requested} applied for"
        )
    check_amount_and_term(product, amount, loan.term_periods)
    contract = json.loads(loan.contract)
    custom = contract["custom_principal"]
    if custom and amount != loan.amount_requested:
        raise InvalidLoanTerms("a custom schedule is approved for the amount applied for")
    holidays = views.calendar(ctx.conn, product.calendar)
    _, disclosure = offer(
        product, amount, loan.term_periods, rate, ctx.business_date, holidays, custom
    )
    approved = dict(loan._mapping) | {
        "amount_approved": amount,
        "annual_rate": str(rate),
        "decision_ref": p.credit_decision_id,
    }
    digest = views.digest_of(views.contract_terms(approved, product))
    data = {
        "loan_id": p.loan_id,
        "amount": amount,
        "annual_rate": str(rate),
        "rate_e8": rate_e8(rate),
        "penalty_rate_e8": rate_e8(product.penalty_rate),
        "credit_decision_id": p.credit_decision_id,
        "apr": str(disclosure.apr),
        "total_interest": disclosure.total_interest,
        "total_cost": disclosure.total_cost,
        "contract_digest": digest,
    }
    return [Event("lending.approved", data, (loan.borrower_id, loan.lender_id))]


def reject(ctx: HandlerContext, p: c.Reject) -> Sequence[Event]:
    loan = _loan_for(
        ctx, p.loan_id, side="lender", states={LoanStatus.APPLIED, LoanStatus.APPROVED}
    )
    data = {"loan_id": p.loan_id, "reason": p.reason}
    return [Event("lending.rejected", data, (loan.borrower_id, loan.lender_id))]


def sign_contract(ctx: HandlerContext, p: c.SignContract) -> Sequence[Event]:
    loan = _loan_for(ctx, p.loan_id, side="borrower|lender", states={LoanStatus.APPROVED})
    if p.contract_digest != loan.contract_digest:
        raise ContractMismatch(
            f"the approved contract of {p.loan_id} has digest {loan.contract_digest}",
            contract_digest=loan.contract_digest,
        )
    side = "borrower" if ctx.command.actor == loan.borrower_id else "lender"
    if getattr(loan, f"{side}_signed_seq") is not None:
        raise LoanNotInState(f"the {side} has already signed {p.loan_id}")
    named = (loan.borrower_id, loan.lender_id)
    events = [Event("lending.signed", {"loan_id": p.loan_id, "side": side}, named)]
    other = "lender" if side == "borrower" else "borrower"
    if getattr(loan, f"{other}_signed_seq") is not None:
        events.append(Event("lending.contracted", {"loan_id": p.loan_id}, named))
    return events


def _check_payee(loan: Any, product: Product, payee_id: str, amount: int, paid: int) -> None:
    payees = {x["party_id"]: x for x in json.loads(loan.contract)["payees"]}
    if payee_id == loan.borrower_id and product.pay_borrower_allowed:
        return
    if payee_id not in payees:
        raise PayeeNotInContract(
            f"{payee_id} is not a payee of loan {loan.loan_id}; the contract names "
            f"{sorted(payees) or 'nobody'}",
            payees=sorted(payees),
        )
    cap = payees[payee_id]["amount_max"]
    if cap is not None and paid + amount > cap:
        raise ExceedsApproved(f"{payee_id} may receive {cap} in all; {paid} was paid already")


def disburse(ctx: HandlerContext, p: c.Disburse) -> Sequence[Event]:
    loan = _loan_for(
        ctx, p.loan_id, side="lender", states={LoanStatus.CONTRACTED, LoanStatus.ACTIVE}
    )
    product = views.get_product(ctx.conn, loan.product_id)
    return disbursement_events(ctx, loan, product, p.tranche_id, p.amount, p.payee_id)


def disbursement_events(
    ctx: HandlerContext,
    loan: Any,
    product: Product,
    tranche_id: str,
    amount: int,
    payee_id: str,
    *,
    controller: str | None = None,
) -> list[Event]:
    """Pay one tranche to ``payee_id`` and (re)plan the schedule; shared by credit-line draws
    and by programmes that control a loan's tranches (``controller``: see ``contract_events``).
    """
    if amount <= 0:
        raise InvalidLoanTerms(f"a tranche must be positive, got {amount}")
    owner = json.loads(loan.contract).get("controller")
    if owner != controller:
        why = (
            f"tranches of {loan.loan_id} are drawn only through {owner}, not directly"
            if owner is not None
            else f"{controller} does not control loan {loan.loan_id}"
        )
        raise LoanControlled(why, controller=owner)
    if views.used_object_ids(ctx.conn, loan.loan_id, tranche_id):
        raise DuplicateObjectId(f"tranche {tranche_id} of {loan.loan_id} was already paid")
    rows = views.instalments(ctx.conn, loan.loan_id)
    tranches = views.tranches(ctx.conn, loan.loan_id)
    if len(tranches) >= product.tranches_max:
        raise ExceedsApproved(f"the product allows {product.tranches_max} tranches")
    _check_payee(
        loan, product, payee_id, amount, sum(t.amount for t in tranches if t.party_id == payee_id)
    )
    if loan.disbursed + amount > loan.amount_approved:
        raise ExceedsApproved(
            f"disbursing {amount} would bring {loan.loan_id} to {loan.disbursed + amount}, "
            f"above the {loan.amount_approved} approved",
            available=loan.amount_approved - loan.disbursed,
        )
    first = loan.disbursed == 0
    today = ctx.business_date
    rate = Decimal(loan.annual_rate)
    contract = json.loads(loan.contract)
    if first:
        holidays = views.calendar(ctx.conn, product.calendar)
        dues = plans.first_dues(product, today, loan.term_periods, holidays)
        custom = contract["custom_principal"]
        parts = proportional(custom, amount) if custom else ()
        schedule = plans.rows_on(product, amount, rate, today, dues, 1, custom=parts)
        if product.upfront_fee:
            schedule.insert(0, [0, today.isoformat(), 0, 0, product.upfront_fee])
    else:
        if not plans.unbilled(rows):
            raise LoanNotInState(f"every instalment of {loan.loan_id} is billed: no tranche fits")
        billed_unpaid = sum(
            r.principal - r.paid_principal for r in rows if r.status in views.BILLED
        )
        principal = loan.principal_outstanding + amount - billed_unpaid
        schedule = plans.reamortised(product, loan, rows, principal, rate)
    post = books.Postings(ctx.seq, f"loan:{loan.loan_id}")
    lender, cur = loan.lender_id, loan.currency
    post.add(
        books.cash_account(ctx.conn, lender, cur),
        books.cash_account(ctx.conn, payee_id, cur),
        amount,
        payee=payee_id,
    )
    post.book(lender, cur, books.PRINCIPAL, books.FUND_SOURCE, amount)
    if first and product.upfront_fee:
        post.book(lender, cur, books.FEE_RECEIVABLE, books.FEE_INCOME, product.upfront_fee)
    named = (loan.borrower_id, lender, payee_id)
    data = {
        "loan_id": loan.loan_id,
        "tranche_id": tranche_id,
        "amount": amount,
        "payee_id": payee_id,
        "first": first,
    }
    return [
        Event("lending.disbursed", data, tuple(sorted(set(named)))),
        Event("lending.schedule_set", {"loan_id": loan.loan_id, "instalments": schedule}),
        *transfer_events(ctx.conn, post.requests, business_date=today),
    ]


def close(ctx: HandlerContext, p: c.CloseLoan) -> Sequence[Event]:
    states = {LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.CONTRACTED, LoanStatus.ACTIVE}
    loan = _loan_for(ctx, p.loan_id, side="borrower|lender", states=states)
    owed = views.owed(loan, views.instalments(ctx.conn, p.loan_id))
    if owed["total"]:
        raise LoanNotInState(
            f"loan {p.loan_id} still owes {owed['total']}; repay it (the settlement quote) first",
            owed=owed["total"],
        )
    return [Event("lending.closed", {"loan_id": p.loan_id}, (loan.borrower_id, loan.lender_id))]
