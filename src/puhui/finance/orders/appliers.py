"""Appliers of the order-financing context: each event → projection rows."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Connection, insert, update

from puhui.finance.orders.model import FinancingStatus, OrderStatus
from puhui.finance.orders.tables import (
    order_documents,
    order_draws,
    order_financings,
    order_policy,
    trade_orders,
)
from puhui.kernel.commands import Event
from puhui.kernel.registry import Applier, ApplyContext


def _opened(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(trade_orders).values(
            order_id=d["order_id"],
            document_id=d["document_id"],
            seller=d["seller"],
            buyer=d["buyer"],
            currency=d["currency"],
            amount=d["amount"],
            delivery_due=date.fromisoformat(d["delivery_due"]),
            status=OrderStatus.OPEN.value,
            opened_seq=ctx.seq,
            opened_on=ctx.business_date,
        )
    )


def _confirmed(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(trade_orders)
        .where(trade_orders.c.order_id == e.data["order_id"])
        .values(
            status=OrderStatus.CONFIRMED.value,
            confirmed_seq=ctx.seq,
            confirmed_on=ctx.business_date,
        )
    )


def _policy(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    share = e.data["advance_bp_max"]
    changed = conn.execute(
        update(order_policy)
        .where(order_policy.c.id == 1)
        .values(advance_bp_max=share, set_seq=ctx.seq)
    )
    if changed.rowcount == 0:
        conn.execute(insert(order_policy).values(id=1, advance_bp_max=share, set_seq=ctx.seq))


def _requested(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(order_financings).values(
            financing_id=d["financing_id"],
            order_id=d["order_id"],
            seller=d["seller"],
            bank=d["bank"],
            product_id=d["product_id"],
            amount=d["amount"],
            term_periods=d["term_periods"],
            annual_rate_max=d["annual_rate_max"],
            plan=json.dumps(d["plan"]),
            status=FinancingStatus.REQUESTED.value,
            requested_seq=ctx.seq,
            requested_on=ctx.business_date,
        )
    )


def _decided(ctx: ApplyContext, status: FinancingStatus, **values: object) -> dict[str, object]:
    return {
        "status": status.value,
        "decided_seq": ctx.seq,
        "decided_on": ctx.business_date,
        **values,
    }


def _financed(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        update(order_financings)
        .where(order_financings.c.financing_id == d["financing_id"])
        .values(
            _decided(
                ctx,
                FinancingStatus.FUNDED,
                annual_rate=d["annual_rate"],
                lien_id=d["lien_id"],
                note=d["note"],
            )
        )
    )
    conn.execute(
        update(trade_orders)
        .where(trade_orders.c.order_id == d["order_id"])
        .values(financing_id=d["financing_id"])
    )


def _declined(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(order_financings)
        .where(order_financings.c.financing_id == e.data["financing_id"])
        .values(_decided(ctx, FinancingStatus.DECLINED, note=e.data["reason"]))
    )


def _drawn(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(order_draws).values(
            financing_id=d["financing_id"],
            tranche_id=d["tranche_id"],
            order_id=d["order_id"],
            supplier=d["supplier"],
            amount=d["amount"],
            drawn_seq=ctx.seq,
            drawn_on=ctx.business_date,
        )
    )


def _paid(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        update(trade_orders)
        .where(trade_orders.c.order_id == d["order_id"])
        .values(
            status=OrderStatus.PAID.value,
            payment_id=d["payment_id"],
            paid_seq=ctx.seq,
            paid_on=ctx.business_date,
            to_lender=d["to_lender"],
            to_seller=d["to_seller"],
        )
    )
    if d["documents"]:
        conn.execute(
            insert(order_documents),
            [
                {
                    "document_id": doc_id,
                    "order_id": d["order_id"],
                    "role": role,
                    "attached_seq": ctx.seq,
                }
                for doc_id, role in d["documents"]
            ],
        )
    closed = {
        d["financing_id"]: d["financing_status"],
        d["expired_request"]: FinancingStatus.EXPIRED.value,
    }
    for financing_id, status in closed.items():
        if financing_id is not None:
            conn.execute(
                update(order_financings)
                .where(order_financings.c.financing_id == financing_id)
                .values(status=status, closed_seq=ctx.seq)
            )


APPLIERS: dict[str, Applier] = {
    "order.opened": _opened,
    "order.confirmed": _confirmed,
    "order.policy_set": _policy,
    "order.financing_requested": _requested,
    "order.financed": _financed,
    "order.financing_declined": _declined,
    "order.drawn": _drawn,
    "order.paid": _paid,
}
