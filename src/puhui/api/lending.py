"""Routes of /api/v1/lending: products, offers with their APR, applications, loans with their
schedules and statements, settlement quotes, credit lines, the portfolio by category and its
concentration.

Reads only: every change is a signed ``lending.*`` command sent to ``POST /api/v1/commands``
(or ``/commands/custodial``). Loan data is shown to the loan's borrower and lender, payees
named in it, and to the operator, regulators and auditors."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from puhui.api.auth import Caller, caller
from puhui.bootstrap import Platform
from puhui.kernel import clock
from puhui.kernel.errors import NotFound, PermissionDenied
from puhui.lending import history, views
from puhui.lending.offers import offer_json

router = APIRouter(prefix="/api/v1/lending", tags=["lending"])
Authed = Annotated[Caller, Depends(caller)]


def _platform(request: Request) -> Platform:
    value: Platform = request.app.state.platform
    return value


def _may_see(who: Caller, loan: Any) -> bool:
    payees = {p["party_id"] for p in json.loads(loan.contract)["payees"]}
    return who.reads_full_log or who.party_id in {loan.borrower_id, loan.lender_id, *payees}


def _visible_loan(conn: Any, loan_id: str, who: Caller) -> Any:
    loan = views.find_loan(conn, loan_id)
    if loan is None or not _may_see(who, loan):
        raise NotFound(f"loan {loan_id} does not exist or is not visible to {who.party_id}")
    return loan


@router.get("/products")
def products(
    request: Request,
    lender_id: str | None = None,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    with _platform(request).engine.connect() as conn:
        found = views.list_products(conn, lender_id=lender_id, after=after, limit=limit)
    return {
        "products": [p.to_json() for p in found],
        "next_after": found[-1].product_id if len(found) == limit else None,
    }


@router.get("/products/{product_id}")
def product(request: Request, product_id: str) -> dict[str, Any]:
    with _platform(request).engine.connect() as conn:
        return views.get_product(conn, product_id).to_json()


class OfferRequest(BaseModel):
    product_id: str
    amount: int = Field(gt=0)
    term_periods: int
    annual_rate: str = Field(min_length=1, max_length=24)
    start: date | None = None
    custom_principal: list[int] = Field(default_factory=list, max_length=600)


@router.post("/offers")
def offers(request: Request, body: OfferRequest) -> dict[str, Any]:
    """The schedule and disclosure (APR by IRR, total interest, total cost) of an offer;
    422 rate-above-cap when the product's cap refuses it."""
    with _platform(request).engine.connect() as conn:
        start = body.start or clock.business_date(conn) or date.today()
        return offer_json(
            conn,
            body.product_id,
            body.amount,
            body.term_periods,
            body.annual_rate,
            start,
            body.custom_principal,
        )


@router.get("/loans")
def loans(
    request: Request,
    who: Authed,
    status: str | None = None,
    party_id: str | None = None,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    """Loans of the caller (or of ``party_id`` for the operator, regulators, auditors);
    ``status=applied`` lists applications."""
    party = party_id if who.reads_full_log else who.party_id
    with _platform(request).engine.connect() as conn:
        found = views.list_loans(conn, party_id=party, status=status, after=after, limit=limit)
    return {"loans": found, "next_after": found[-1]["loan_id"] if len(found) == limit else None}


@router.get("/applications")
def applications(request: Request, who: Authed) -> dict[str, Any]:
    party = None if who.reads_full_log else who.party_id
    with _platform(request).engine.connect() as conn:
        found = views.list_loans(conn, party_id=party, status="applied", limit=500)
    return {"applications": found}


@router.get("/loans/{loan_id}")
def loan_statement(request: Request, loan_id: str, who: Authed) -> dict[str, Any]:
    """The loan statement: contract, figures, schedule, transactions, classification history."""
    with _platform(request).engine.connect() as conn:
        _visible_loan(conn, loan_id, who)
        return views.statement(conn, loan_id)


@router.get("/loans/{loan_id}/schedule")
def loan_schedule(request: Request, loan_id: str, who: Authed) -> dict[str, Any]:
    with _platform(request).engine.connect() as conn:
        _visible_loan(conn, loan_id, who)
        rows = views.instalments(conn, loan_id)
    return {"loan_id": loan_id, "schedule": [views.instalment_json(r) for r in rows]}


@router.get("/loans/{loan_id}/quote")
def settlement_quote(request: Request, loan_id: str, who: Authed) -> dict[str, Any]:
    """What settles the loan today (early settlement quote)."""
    with _platform(request).engine.connect() as conn:
        _visible_loan(conn, loan_id, who)
        today = clock.business_date(conn) or date.today()
        return views.settlement_quote(conn, loan_id, today)


@router.get("/lines/{line_id}")
def credit_line(request: Request, line_id: str, who: Authed) -> dict[str, Any]:
    with _platform(request).engine.connect() as conn:
        line = views.line_json(conn, line_id)
    if not who.reads_full_log and who.party_id not in (line["borrower_id"], line["lender_id"]):
        raise NotFound(f"credit line {line_id} does not exist or is not visible")
    return line


@router.get("/portfolio")
def portfolio(request: Request, who: Authed, lender_id: str | None = None) -> dict[str, Any]:
    """Active loans by currency and five-category class; a lender sees its own book."""
    lender = lender_id if who.reads_full_log else who.party_id
    with _platform(request).engine.connect() as conn:
        return {"lender_id": lender, "portfolio": views.portfolio(conn, lender)}


@router.get("/portfolio/history")
def portfolio_history(
    request: Request,
    who: Authed,
    lender_id: str | None = None,
    days: int = Query(90, ge=1, le=history.HISTORY_DAYS_MAX),
) -> dict[str, Any]:
    """The book at the end of each business day of the window by five-category class, and the
    reclassifications in it; a lender sees its own book, supervisors any or all."""
    lender = lender_id if who.reads_full_log else who.party_id
    with _platform(request).engine.connect() as conn:
        today = clock.business_date(conn)
        if today is None:
            raise NotFound("the log has no business date yet")
        return history.portfolio_history(conn, today, lender, days)


@router.get("/concentration")
def concentration(request: Request, who: Authed, by: views.ConcentrationBy) -> dict[str, Any]:
    """Active loans by lender, borrower or borrower's region, largest first (supervisors)."""
    if not who.reads_full_log:
        raise PermissionDenied("only operators, regulators and auditors see concentration")
    with _platform(request).engine.connect() as conn:
        return {"by": by, "groups": views.concentration(conn, by)}
