"""The trade: the seller opens an order on its purchase order, the buyer countersigns it, and
when the goods are delivered the buyer pays — the lender first (penetrating payment), the rest
to the seller. The operator sets the advance policy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from puhui.accounts import TransferRequest, transfer_events
from puhui.documents import liens
from puhui.documents import views as documents
from puhui.documents.handlers import confirmation
from puhui.documents.model import DocumentKind, LienRelease
from puhui.finance.cash import cash_account
from puhui.finance.orders import commands as c
from puhui.finance.orders import views
from puhui.finance.orders.common import confirmed, order_for
from puhui.finance.orders.errors import (
    DeliveryNotConfirmed,
    DocumentAlreadyUsed,
    DocumentNotUsable,
    OrderExists,
    OrderPastDue,
    OrderWrongState,
    PaymentMismatch,
    TermsMismatch,
)
from puhui.finance.orders.model import FinancingStatus, OrderStatus, order_reference
from puhui.kernel.commands import Event
from puhui.kernel.errors import InvariantViolation
from puhui.kernel.registry import HandlerContext
from puhui.lending import views as lending
from puhui.lending.servicing import repayment_events


def open_order(ctx: HandlerContext, p: c.OpenOrder) -> Sequence[Event]:
    seller = ctx.command.actor
    if views.find_order(ctx.conn, p.order_id) is not None:
        raise OrderExists(f"order id {p.order_id!r} is already used")
    doc = documents.get_document(ctx.conn, p.document_id)
    if doc.kind != DocumentKind.PURCHASE_ORDER or doc.owner != seller or doc.counterparty is None:
        raise DocumentNotUsable(
            f"{p.document_id} is not a purchase order {seller} registered naming its buyer"
        )
    used = views.order_of_document(ctx.conn, p.document_id)
    if used is not None:
        raise DocumentAlreadyUsed(f"purchase order {p.document_id} is already order {used}")
    if p.delivery_due < ctx.business_date:
        raise OrderPastDue(f"delivery due {p.delivery_due} is before today, {ctx.business_date}")
    data = p.model_dump(mode="json") | {"seller": seller, "buyer": doc.counterparty}
    return [Event("order.opened", data, (seller, doc.counterparty))]


def confirm(ctx: HandlerContext, p: c.ConfirmOrder) -> Sequence[Event]:
    """The buyer's countersignature: it restates the terms, and confirms the purchase order
    document in the same entry if it has not already."""
    order = order_for(ctx.conn, p.order_id, ctx.command.actor, "buyer")
    if order.status != OrderStatus.OPEN:
        raise OrderWrongState(f"order {p.order_id} is {order.status}", status=order.status)
    differences = []
    if p.amount != order.amount:
        differences.append(f"amount {p.amount} (the order says {order.amount})")
    if p.delivery_due != order.delivery_due:
        differences.append(f"delivery due {p.delivery_due} (the order says {order.delivery_due})")
    if differences:
        raise TermsMismatch(
            f"the countersignature of order {p.order_id} restates " + "; ".join(differences)
        )
    data = {"order_id": p.order_id, "document_id": order.document_id}
    events = [Event("order.confirmed", data, (order.seller, order.buyer))]
    if documents.get_document(ctx.conn, order.document_id).confirmed_seq is None:
        events.append(confirmation(ctx, order.document_id))
    return events


def set_policy(ctx: HandlerContext, p: c.SetPolicy) -> Sequence[Event]:
    return [Event("order.policy_set", {"advance_bp_max": p.advance_bp_max}, (ctx.command.actor,))]


def _attached(ctx: HandlerContext, order: views.Order, p: c.Pay) -> list[list[str]]:
    """[document id, role] of the deliveries and invoices the payment is for, each checked."""
    rows: list[list[str]] = []
    for role, ids, kind in (
        ("delivery", p.delivery_ids, DocumentKind.DELIVERY_NOTE),
        ("invoice", p.invoice_ids, DocumentKind.E_INVOICE),
    ):
        for doc_id in ids:
            if any(doc_id == r[0] for r in rows):
                raise DocumentNotUsable(f"{doc_id} is named twice")
            doc = documents.get_document(ctx.conn, doc_id)
            if doc.kind != kind or doc.owner != order.seller or doc.counterparty != order.buyer:
                raise DocumentNotUsable(
                    f"{doc_id} is not a {kind.value} of {order.seller} to {order.buyer}"
                )
            if role == "delivery" and doc.confirmed_seq is None:
                raise DeliveryNotConfirmed(
                    f"delivery note {doc_id} is not confirmed by the buyer {order.buyer}: "
                    "confirm the delivery first"
                )
            used = views.order_of_document(ctx.conn, doc_id)
            if used is not None:
                raise DocumentAlreadyUsed(f"{doc_id} already belongs to order {used}")
            rows.append([doc_id, role])
    return rows


def _to_seller(ctx: HandlerContext, order: views.Order, amount: int) -> list[Event]:
    request = TransferRequest(
        f"order-{ctx.seq}-0",
        cash_account(ctx.conn, order.buyer),
        cash_account(ctx.conn, order.seller),
        amount,
        reference=order_reference(order.order_id),
        payee=order.seller,
    )
    return transfer_events(ctx.conn, [request], business_date=ctx.business_date)


def payment_split(conn: Connection, order: views.Order) -> dict[str, Any]:
    """How the buyer's payment of the whole order is split today (the waterfall's rules): a
    drawn loan takes up to its settlement quote first and the seller the rest; an undrawn,
    closed or absent loan leaves everything to the seller. ``financing_status`` is what
    becomes of the financing. A pure read: ``pay`` books exactly this split and the
    ``payment-quote`` route shows it before the buyer signs."""
    amount = order.amount
    split: dict[str, Any] = {"to_lender": 0, "to_seller": amount, "financing_status": None}
    split |= {"financing_id": order.financing_id, "lender": None, "owed": None}
    if order.financing_id is None:
        return split
    financing = views.get_financing(conn, order.financing_id)
    loan = lending.get_loan(conn, financing.financing_id)
    split["lender"] = financing.bank
    if loan.status == "active":
        owed = lending.owed(loan, lending.instalments(conn, loan.loan_id))
        to_lender = min(amount, owed["total"])
        settled = to_lender == owed["total"]
        status = FinancingStatus.SETTLED if settled else FinancingStatus.SHORT
        split |= {"to_lender": to_lender, "to_seller": amount - to_lender, "owed": owed}
    elif loan.status == "closed":
        status = FinancingStatus.SETTLED
    elif loan.status == "contracted":
        status = FinancingStatus.UNDRAWN
    else:
        status = FinancingStatus(financing.status)
    return split | {"financing_status": status.value}


def _waterfall(
    ctx: HandlerContext, order: views.Order, p: c.Pay, financing: views.Financing
) -> tuple[list[Event], dict[str, Any]]:
    """The money of a financed order as ``payment_split`` says: the lender first (up to the
    loan's settlement quote), the rest to the seller, in one linked batch; what became of the
    financing."""
    split = payment_split(ctx.conn, order)
    to_lender, to_seller = int(split["to_lender"]), int(split["to_seller"])
    status = FinancingStatus(split["financing_status"])
    if split["owed"] is not None:
        money = repayment_events(
            ctx, financing.financing_id, p.payment_id, p.amount, remainder_to=order.seller
        )
        repaid = next(e for e in money if e.type == "lending.repaid").data
        booked = (int(repaid["amount"]), int(repaid.get("remainder", 0)))
        closed = any(e.type == "lending.closed" for e in money)
        if booked != (to_lender, to_seller) or closed != (status == FinancingStatus.SETTLED):
            raise InvariantViolation(
                f"order {order.order_id}: the repayment booked {booked} (closed: {closed}), "
                f"the waterfall said {(to_lender, to_seller)} ({status})"
            )
    else:
        money = _to_seller(ctx, order, p.amount)
    lien = None if financing.lien_id is None else liens.find_lien(ctx.conn, financing.lien_id)
    if status != FinancingStatus.SHORT and lien is not None and lien.released_seq is None:
        money.append(liens.release(ctx, lien.lien_id, LienRelease.REPAID))
    outcome = {"to_lender": to_lender, "to_seller": to_seller, "financing_status": status.value}
    return money, outcome


def pay(ctx: HandlerContext, p: c.Pay) -> Sequence[Event]:
    """The buyer pays exactly the order's amount against deliveries it confirmed."""
    order = order_for(ctx.conn, p.order_id, ctx.command.actor, "buyer")
    confirmed(order)
    if p.amount != order.amount:
        raise PaymentMismatch(
            f"order {p.order_id} is for {order.amount} fen; a payment of {p.amount} is refused: "
            "an order is paid in full, in one payment",
            amount=order.amount,
        )
    attached = _attached(ctx, order, p)
    cash_account(ctx.conn, order.buyer)
    cash_account(ctx.conn, order.seller)
    data: dict[str, Any] = {
        "order_id": p.order_id,
        "payment_id": p.payment_id,
        "amount": p.amount,
        "documents": attached,
        "financing_id": order.financing_id,
    }
    pending = views.pending_request(ctx.conn, p.order_id)
    data["expired_request"] = None if pending is None else pending.financing_id
    named = {order.buyer, order.seller} | (set() if pending is None else {pending.bank})
    if order.financing_id is None:
        money = _to_seller(ctx, order, p.amount)
        data |= {"to_lender": 0, "to_seller": p.amount, "financing_status": None}
    else:
        financing = views.get_financing(ctx.conn, order.financing_id)
        money, outcome = _waterfall(ctx, order, p, financing)
        data |= outcome
        named.add(financing.bank)
    return [Event("order.paid", data, tuple(sorted(named))), *money]
