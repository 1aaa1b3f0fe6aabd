"""Financing an order: the seller asks a bank for a loan to produce, naming the input suppliers
it will pay (the plan); the bank funds it — the purchase order is liened and the loan contracted
with this context as the only one that may draw it — or declines; the seller draws tranches,
each paid straight to a supplier of the plan."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from puhui.documents import liens
from puhui.documents import views as documents
from puhui.finance.cash import CURRENCY, cash_account
from puhui.finance.orders import commands as c
from puhui.finance.orders import views
from puhui.finance.orders.common import LENDER_ROLES, confirmed, financeable, order_for
from puhui.finance.orders.errors import (
    ExceedsAdvance,
    ExceedsPlan,
    InvalidPlan,
    NotALender,
    NotOrderParty,
    OrderFinancingExists,
    OrderWrongState,
    PayeeNotInPlan,
    RateAboveRequest,
)
from puhui.finance.orders.model import BP_PER_UNIT, CONTROLLER, FinancingStatus, advance_cap
from puhui.kernel.commands import Event
from puhui.kernel.registry import HandlerContext
from puhui.lending import views as lending
from puhui.lending.handlers import disbursement_events
from puhui.lending.lines import contract_events
from puhui.lending.offers import check_amount_and_term, check_rate
from puhui.parties import views as parties


def _check_plan(ctx: HandlerContext, order: views.Order, p: c.RequestFinancing) -> None:
    suppliers = [line.supplier for line in p.plan]
    if len(set(suppliers)) != len(suppliers):
        raise InvalidPlan("the plan names a supplier twice")
    for supplier in suppliers:
        if supplier in (order.seller, order.buyer, p.bank):
            raise InvalidPlan(
                f"the plan pays input suppliers, not {supplier} (the seller, buyer or bank)"
            )
        parties.get_party(ctx.conn, supplier)
        cash_account(ctx.conn, supplier)
    total = sum(line.amount for line in p.plan)
    if total != p.amount:
        raise InvalidPlan(f"the plan pays {total} fen in all; the financing asks {p.amount}")


def _check_product(ctx: HandlerContext, p: c.RequestFinancing) -> None:
    product = lending.find_product(ctx.conn, p.product_id)
    if product is None or product.lender_id != p.bank or product.currency != CURRENCY:
        raise InvalidPlan(f"{p.product_id} is not a {CURRENCY} loan product of {p.bank}")
    check_amount_and_term(product, p.amount, p.term_periods)
    if len(p.plan) > product.tranches_max:
        raise InvalidPlan(
            f"product {p.product_id} allows {product.tranches_max} tranches; "
            f"the plan names {len(p.plan)} suppliers"
        )


def request(ctx: HandlerContext, p: c.RequestFinancing) -> Sequence[Event]:
    order = order_for(ctx.conn, p.order_id, ctx.command.actor, "seller")
    if views.find_financing(ctx.conn, p.financing_id) or lending.find_loan(
        ctx.conn, p.financing_id
    ):
        raise OrderFinancingExists(f"financing or loan id {p.financing_id!r} is already used")
    financeable(order, ctx.business_date)
    pending = views.pending_request(ctx.conn, p.order_id)
    if pending is not None:
        raise OrderWrongState(
            f"financing {pending.financing_id} of order {p.order_id} awaits {pending.bank}"
        )
    if not LENDER_ROLES & set(parties.get_party(ctx.conn, p.bank).roles):
        raise NotALender(f"{p.bank} is not a bank or cooperative")
    share = views.advance_bp_max(ctx.conn)
    cap = advance_cap(order.amount, share)
    if p.amount > cap:
        raise ExceedsAdvance(
            f"order {p.order_id} of {order.amount} fen may be financed up to {cap} fen "
            f"({share / 100:g}% of its value); the request asks {p.amount}",
            cap=cap,
        )
    _check_plan(ctx, order, p)
    _check_product(ctx, p)
    data = p.model_dump(mode="json") | {
        "seller": order.seller,
        "plan": [[line.supplier, line.amount] for line in p.plan],
    }
    return [Event("order.financing_requested", data, (order.seller, order.buyer, p.bank))]


def _requested(ctx: HandlerContext, financing_id: str) -> views.Financing:
    financing = views.get_financing(ctx.conn, financing_id)
    if ctx.command.actor != financing.bank:
        raise NotOrderParty(f"financing {financing_id} was asked of {financing.bank}")
    if financing.status != FinancingStatus.REQUESTED:
        raise OrderWrongState(f"financing {financing_id} is {financing.status}")
    return financing


def finance(ctx: HandlerContext, p: c.Finance) -> Sequence[Event]:
    """Fund: lien the purchase order and contract the loan (drawn only through ``order.draw``)."""
    financing = _requested(ctx, p.financing_id)
    order = views.get_order(ctx.conn, financing.order_id)
    financeable(order, ctx.business_date)
    rate = Decimal(p.annual_rate)
    if rate > Decimal(financing.annual_rate_max):
        raise RateAboveRequest(
            f"{financing.seller} accepts at most {financing.annual_rate_max}; the offer is {rate}"
        )
    product = lending.get_product(ctx.conn, financing.product_id)
    check_rate(product, p.annual_rate)
    doc = documents.get_document(ctx.conn, order.document_id)
    lien = liens.claim(
        ctx,
        lien_id=financing.financing_id,
        fingerprint=doc.fingerprint,
        kind=doc.kind,
        grantor=order.seller,
        document_id=doc.document_id,
    )
    plan = financing.plan_lines
    _, loan_events = contract_events(
        product,
        loan_id=financing.financing_id,
        borrower_id=order.seller,
        amount=financing.amount,
        annual_rate=rate,
        term_periods=financing.term_periods,
        payees=sorted(plan),
        purpose=f"to produce order {order.order_id} for {order.buyer}; paid to its suppliers",
        controller=CONTROLLER,
    )
    decision = {
        "order_amount": order.amount,
        "buyer": order.buyer,
        "buyer_signed_seq": order.confirmed_seq,
        "delivery_due": order.delivery_due.isoformat(),
        "advance_bp": financing.amount * BP_PER_UNIT // order.amount,
        "advance_bp_max": views.advance_bp_max(ctx.conn),
    }
    data = {
        "financing_id": financing.financing_id,
        "order_id": order.order_id,
        "annual_rate": str(rate),
        "lien_id": financing.financing_id,
        "note": p.note,
        "decision": decision,
    }
    named = (order.seller, order.buyer, financing.bank)
    return [Event("order.financed", data, named), lien, *loan_events]


def decline(ctx: HandlerContext, p: c.DeclineFinancing) -> Sequence[Event]:
    financing = _requested(ctx, p.financing_id)
    data = {"financing_id": p.financing_id, "order_id": financing.order_id, "reason": p.reason}
    return [Event("order.financing_declined", data, (financing.seller, financing.bank))]


def draw(ctx: HandlerContext, p: c.Draw) -> Sequence[Event]:
    """A tranche paid to a supplier of the plan, never to the seller."""
    order = order_for(ctx.conn, p.order_id, ctx.command.actor, "seller")
    confirmed(order)
    if order.financing_id is None:
        raise OrderWrongState(f"order {p.order_id} is not financed: nothing to draw")
    financing = views.get_financing(ctx.conn, order.financing_id)
    plan = financing.plan_lines
    if p.supplier not in plan:
        raise PayeeNotInPlan(
            f"{p.supplier} is not in the plan of {financing.financing_id}; it names "
            f"{', '.join(sorted(plan))}",
            suppliers=sorted(plan),
        )
    left = plan[p.supplier] - views.drawn_by_supplier(ctx.conn, financing.financing_id).get(
        p.supplier, 0
    )
    if p.amount > left:
        raise ExceedsPlan(
            f"the plan leaves {left} fen for {p.supplier}; the tranche asks {p.amount}",
            left=left,
        )
    loan = lending.get_loan(ctx.conn, financing.financing_id)
    product = lending.get_product(ctx.conn, loan.product_id)
    money = disbursement_events(
        ctx, loan, product, p.tranche_id, p.amount, p.supplier, controller=CONTROLLER
    )
    data = p.model_dump() | {"financing_id": financing.financing_id}
    named = (order.seller, financing.bank, p.supplier)
    return [Event("order.drawn", data, named), *money]
