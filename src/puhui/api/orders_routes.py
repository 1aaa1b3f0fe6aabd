"""Routes of order financing under /api/v1/orders: the caller's orders, one order, its trail
(the trade's authenticity for a bank: order, signatures, deliveries, invoices, financing and
payments), a bank's portfolio of financed orders and the advance policy.

The order commands (open, confirm, financing, draws, payment) are signed on the client and go
to ``POST /api/v1/commands`` like any command. An order and its trail are shown to its seller
and buyer, to a bank asked to finance it (only its own financing), and to operators,
regulators and auditors; to anyone else it does not exist (404). The payment quote — how the
buyer's payment would be split today, the lender first — is shown to the seller, the buyer,
the bank whose loan stands on the order and supervisors.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import Connection

from puhui.api.auth import Caller, caller
from puhui.api.routes import platform
from puhui.finance.orders import views
from puhui.finance.orders.trade import payment_split
from puhui.kernel import clock
from puhui.kernel.errors import NotFound, PermissionDenied

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
Authed = Annotated[Caller, Depends(caller)]
Limit = Annotated[int, Query(ge=1, le=views.PAGE_SIZE_MAX)]


def _visible(conn: Connection, who: Caller, order_id: str) -> views.Order:
    found = views.find_order(conn, order_id)
    if found is None or not (who.reads_full_log or views.visible_to(conn, found, who.party_id)):
        raise NotFound(f"no order {order_id!r} visible to {who.party_id}")
    return found


def _bank_view(who: Caller, order: views.Order) -> str | None:
    """A bank that is not a party of the order sees only its own financings."""
    if who.reads_full_log or who.party_id in (order.seller, order.buyer):
        return None
    return who.party_id


@router.get("")
def list_orders(
    request: Request, who: Authed, after: str | None = None, limit: Limit = 100
) -> dict[str, Any]:
    """Orders the caller sells or buys (all, for full readers), by id."""
    party = None if who.reads_full_log else who.party_id
    with platform(request).engine.connect() as conn:
        found = views.list_orders(conn, party, after=after, limit=limit)
    return {
        "orders": [o.to_json() for o in found],
        "next_after": found[-1].order_id if len(found) == limit else None,
    }


@router.get("/policy")
def policy(request: Request) -> dict[str, Any]:
    """The highest share of an order's value a loan may reach, in basis points."""
    with platform(request).engine.connect() as conn:
        return {"advance_bp_max": views.advance_bp_max(conn)}


@router.get("/portfolio")
def portfolio(
    request: Request,
    who: Authed,
    bank: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """A bank's order financings with the orders' value and status."""
    party = bank or who.party_id
    if party != who.party_id and not who.reads_full_log:
        raise PermissionDenied(f"{who.party_id} may not read the portfolio of {party}")
    with platform(request).engine.connect() as conn:
        return views.portfolio(conn, party, after=after, limit=limit)


@router.get("/{order_id}")
def get_order(request: Request, order_id: str, who: Authed) -> dict[str, Any]:
    """An order with its financings (a bank sees its own)."""
    with platform(request).engine.connect() as conn:
        found = _visible(conn, who, order_id)
        bank = _bank_view(who, found)
        financings = [
            f.to_json()
            for f in views.financings_of(conn, order_id)
            if bank is None or f.bank == bank
        ]
    return found.to_json() | {"financings": financings}


@router.get("/{order_id}/trail")
def trail(request: Request, order_id: str, who: Authed) -> dict[str, Any]:
    """The trade's authenticity trail: the order both parties signed, its documents with their
    commitments and log positions, the financing's lien and tranches, the payment's split."""
    with platform(request).engine.connect() as conn:
        found = _visible(conn, who, order_id)
        return views.trail(conn, order_id, bank=_bank_view(who, found))


@router.get("/{order_id}/payment-quote")
def payment_quote(request: Request, order_id: str, who: Authed) -> dict[str, Any]:
    """How the buyer's payment of the order is split today: the lender first (up to its loan's
    settlement quote), the seller the rest — the rules ``order.pay`` books (``payment_split``);
    once paid, the split booked. Changes nothing."""
    with platform(request).engine.connect() as conn:
        found = _visible(conn, who, order_id)
        bank = _bank_view(who, found)
        lender = None
        if found.financing_id is not None:
            lender = views.get_financing(conn, found.financing_id).bank
        if bank is not None and bank != lender:
            raise NotFound(f"no payment quote of order {order_id!r} for {who.party_id}")
        today = clock.business_date(conn)
        head = {"order_id": order_id, "amount": found.amount, "currency": found.currency}
        head |= {"status": found.status, "as_of": None if today is None else today.isoformat()}
        if found.payment_id is not None:
            financing = None
            if found.financing_id is not None:
                financing = views.get_financing(conn, found.financing_id).status
            return head | {
                "to_lender": found.to_lender,
                "to_seller": found.to_seller,
                "financing_status": financing,
                "financing_id": found.financing_id,
                "lender": lender,
                "owed": None,
                "paid_seq": found.paid_seq,
            }
        return head | payment_split(conn, found) | {"paid_seq": None}
