"""Routes of the receivables under /api/v1/receivables: issue (checked against the invoices'
content before it reaches the log), the records, the trace of a piece to its root, the
penetration graph, holder wallets, core-enterprise payables and bank portfolios.

The other receivable commands (accept, transfer, guarantees, financing) are signed on the
client and go to ``POST /api/v1/commands`` like any command. A party sees the receivables it
takes part in; operators, regulators and auditors see all.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Connection

from puhui.api.auth import Caller, caller
from puhui.api.routes import platform, writer
from puhui.finance.rates import rate_param
from puhui.finance.receivables import check_invoices, views
from puhui.finance.receivables.common import active_receivable
from puhui.finance.receivables.intake import ISSUE_COMMAND
from puhui.finance.receivables.model import discount
from puhui.kernel import clock
from puhui.kernel.errors import InvalidCommand, NotFound, PermissionDenied
from puhui.kernel.service import Kernel
from puhui.lending.daycount import DayCount

router = APIRouter(prefix="/api/v1/receivables", tags=["receivables"])
Authed = Annotated[Caller, Depends(caller)]
Limit = Annotated[int, Query(ge=1, le=views.PAGE_SIZE_MAX)]


def _self_or_full(who: Caller, party_id: str | None) -> str:
    party = party_id or who.party_id
    if party != who.party_id and not who.reads_full_log:
        raise PermissionDenied(f"{who.party_id} may not read the receivables of {party}")
    return party


@router.post("", status_code=201)
def issue(request: Request, response: Response, body: dict[str, Any]) -> dict[str, Any]:
    """Submit a signed ``receivable.issue``; its invoice totals must match the stored invoices."""
    signed = Kernel.parse(body)
    if signed.command.type != ISSUE_COMMAND:
        raise InvalidCommand(f"this route takes a signed {ISSUE_COMMAND}")
    p = platform(request)
    with p.engine.connect() as conn:
        check_invoices(conn, dict(signed.command.payload))
    receipt = writer(request).submit(signed)
    if receipt.repeat:
        response.status_code = 200
    with p.engine.connect() as conn:
        found = views.get_receivable(conn, str(signed.command.payload["receivable_id"]))
    return {"receipt": receipt.to_json(), "receivable": found.to_json()}


@router.get("")
def list_receivables(
    request: Request, who: Authed, after: str | None = None, limit: Limit = 100
) -> dict[str, Any]:
    """Receivables the caller issued or was issued (all, for full readers), by id."""
    party = None if who.reads_full_log else who.party_id
    with platform(request).engine.connect() as conn:
        found = views.list_receivables(conn, party, after=after, limit=limit)
    return {
        "receivables": [r.to_json() for r in found],
        "next_after": found[-1].receivable_id if len(found) == limit else None,
    }


@router.get("/wallet")
def wallet(
    request: Request,
    who: Authed,
    holder: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """The pieces a party holds now (the caller's, unless a full reader names another)."""
    with platform(request).engine.connect() as conn:
        return views.wallet(conn, _self_or_full(who, holder), after=after, limit=limit)


@router.get("/payables")
def payables(
    request: Request, who: Authed, issuer: str | None = None, limit: Limit = 100
) -> dict[str, Any]:
    """A core enterprise's open receivables by maturity date."""
    with platform(request).engine.connect() as conn:
        return views.payables(conn, _self_or_full(who, issuer), limit=limit)


@router.get("/portfolio")
def portfolio(
    request: Request,
    who: Authed,
    bank: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """A bank's financed pieces with their terms and status."""
    with platform(request).engine.connect() as conn:
        return views.portfolio(conn, _self_or_full(who, bank), after=after, limit=limit)


@router.get("/concentration")
def concentration(
    request: Request, who: Authed, by: views.ConcentrationBy = "issuer"
) -> dict[str, Any]:
    """Open receivables by core enterprise or its region, largest first (supervisors)."""
    if not who.reads_full_log:
        raise PermissionDenied("only operators, regulators and auditors see concentration")
    with platform(request).engine.connect() as conn:
        return {"by": by, "groups": views.concentration(conn, by)}


@router.get("/financings/{financing_id}/quote")
def quote(
    request: Request,
    financing_id: str,
    who: Authed,
    annual_rate: str,
    day_count: DayCount = DayCount.ACT_360,
) -> dict[str, Any]:
    """What ``receivable.finance`` at this rate would pay today (days, discount, price) and
    what the bank's decision would record; changes nothing."""
    with platform(request).engine.connect() as conn:
        found = views.get_financing(conn, financing_id)
        if not who.reads_full_log and who.party_id not in (found.bank, found.seller):
            raise NotFound(f"no financing {financing_id!r} visible to {who.party_id}")
        receivable = views.get_receivable(conn, found.receivable_id)
        piece = views.get_piece(conn, found.piece_id)
        today = clock.business_date(conn)
        guarantees = views.guarantees_covering(conn, piece)
        if today is None:
            raise NotFound("the log has no business date yet")
        active_receivable(receivable, today)  # as receivable.finance would refuse it
        record = views.core_credit(conn, receivable.issuer, today)
    rate = rate_param(annual_rate)
    cut = discount(found.face, rate, today, receivable.maturity_date, day_count)
    return {
        "financing": found.to_json(),
        "as_of": today.isoformat(),
        "maturity_date": receivable.maturity_date.isoformat(),
        "annual_rate": annual_rate,
        "day_count": day_count.value,
        "days": (receivable.maturity_date - today).days,
        "discount": cut,
        "price": found.face - cut,
        "core_enterprise": record,
        "guarantees": [g.to_json() for g in guarantees],
    }


@router.get("/pieces/{piece_id}/trace")
def trace(request: Request, piece_id: str, who: Authed) -> dict[str, Any]:
    """A piece's path to the root and the holders along it (穿透)."""
    with platform(request).engine.connect() as conn:
        found = views.trace(conn, piece_id)
        on_path = who.party_id in (found.receivable.issuer, *found.holders)
        allowed = who.reads_full_log or on_path or _lender_of(conn, who.party_id, found)
    if not allowed:
        raise NotFound(f"no piece {piece_id!r} visible to {who.party_id}")
    return found.to_json()


def _lender_of(conn: Connection, party_id: str, found: views.Trace) -> bool:
    """A bank asked to finance, or a guarantor of, a piece on the path may trace it."""
    piece = found.path[-1]
    request = views.open_request(conn, piece.piece_id)
    if request is not None and request.bank == party_id:
        return True
    return any(g.guarantor == party_id for g in views.guarantees_covering(conn, piece))


@router.get("/{receivable_id}")
def get_receivable(request: Request, receivable_id: str, who: Authed) -> dict[str, Any]:
    """A receivable with its documents, guarantees and settlement state."""
    with platform(request).engine.connect() as conn:
        found = views.get_receivable(conn, receivable_id)
        if not (who.reads_full_log or views.visible_to(conn, found, who.party_id)):
            raise NotFound(f"no receivable {receivable_id!r} visible to {who.party_id}")
        return found.to_json() | {
            "documents": views.documents_of(conn, receivable_id),
            "guarantees": [g.to_json() for g in views.guarantees_of(conn, receivable_id)],
        }


@router.get("/{receivable_id}/graph")
def graph(
    request: Request,
    receivable_id: str,
    who: Authed,
    after: str | None = None,
    limit: Limit = 500,
) -> dict[str, Any]:
    """The penetration graph: every piece and who holds it (issuer and full readers)."""
    with platform(request).engine.connect() as conn:
        found = views.get_receivable(conn, receivable_id)
        if not who.reads_full_log and who.party_id != found.issuer:
            raise PermissionDenied(
                "the whole graph is for the core enterprise and supervisors; "
                "holders trace their own pieces"
            )
        return views.graph(conn, receivable_id, after=after, limit=limit)
