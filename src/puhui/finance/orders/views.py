"""Read functions of the order-financing context: orders, financings, the policy, a bank's
portfolio, and the **trail** of one order — what a bank checks to see that the trade is real
(the purchase order both parties signed, the deliveries the buyer confirmed, the invoices, the
loan's tranches to the suppliers and the buyer's payment) without seeing the parties' other
business."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from puhui.accounts import reports
from puhui.documents import liens
from puhui.documents import views as documents
from puhui.finance.orders.errors import UnknownOrder, UnknownOrderFinancing
from puhui.finance.orders.model import (
    ADVANCE_BP_DEFAULT,
    FinancingStatus,
    loan_reference,
    order_reference,
)
from puhui.finance.orders.tables import (
    order_documents,
    order_draws,
    order_financings,
    order_policy,
    trade_orders,
)

PAGE_SIZE_MAX = 500
LIVE_FINANCING = (FinancingStatus.REQUESTED.value, FinancingStatus.FUNDED.value)


def _json(obj: Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(obj).items()}


def _page(limit: int) -> int:
    return max(1, min(limit, PAGE_SIZE_MAX))


@dataclass(frozen=True)
class Order:
    order_id: str
    document_id: str
    seller: str
    buyer: str
    currency: str
    amount: int
    delivery_due: date
    status: str
    opened_seq: int
    opened_on: date
    confirmed_seq: int | None
    confirmed_on: date | None
    financing_id: str | None
    payment_id: str | None
    paid_seq: int | None
    paid_on: date | None
    to_lender: int | None
    to_seller: int | None

    def to_json(self) -> dict[str, Any]:
        return _json(self)


@dataclass(frozen=True)
class Financing:
    financing_id: str
    order_id: str
    seller: str
    bank: str
    product_id: str
    amount: int
    term_periods: int
    annual_rate_max: str
    annual_rate: str | None
    plan: str
    status: str
    lien_id: str | None
    note: str | None
    requested_seq: int
    requested_on: date
    decided_seq: int | None
    decided_on: date | None
    closed_seq: int | None

    @property
    def plan_lines(self) -> dict[str, int]:
        """Supplier → amount the plan allows it."""
        return {supplier: int(amount) for supplier, amount in json.loads(self.plan)}

    def to_json(self) -> dict[str, Any]:
        data = _json(self)
        data["plan"] = [{"supplier": s, "amount": a} for s, a in json.loads(self.plan)]
        return data


_ORDER = select(trade_orders).where(trade_orders.c.order_id == bindparam("id"))
_FINANCING = select(order_financings).where(order_financings.c.financing_id == bindparam("id"))


def find_order(conn: Connection, order_id: str) -> Order | None:
    row = conn.execute(_ORDER, {"id": order_id}).first()
    return None if row is None else Order(**row._mapping)


def get_order(conn: Connection, order_id: str) -> Order:
    found = find_order(conn, order_id)
    if found is None:
        raise UnknownOrder(f"no order {order_id!r}")
    return found


def order_of_document(conn: Connection, document_id: str) -> str | None:
    """The order a purchase order, delivery note or invoice already belongs to."""
    found = conn.execute(
        select(trade_orders.c.order_id).where(trade_orders.c.document_id == document_id)
    ).scalar()
    if found is not None:
        return str(found)
    attached = conn.execute(
        select(order_documents.c.order_id).where(order_documents.c.document_id == document_id)
    ).scalar()
    return None if attached is None else str(attached)


def find_financing(conn: Connection, financing_id: str) -> Financing | None:
    row = conn.execute(_FINANCING, {"id": financing_id}).first()
    return None if row is None else Financing(**row._mapping)


def get_financing(conn: Connection, financing_id: str) -> Financing:
    found = find_financing(conn, financing_id)
    if found is None:
        raise UnknownOrderFinancing(f"no order financing {financing_id!r}")
    return found


def financings_of(conn: Connection, order_id: str) -> list[Financing]:
    rows = conn.execute(
        select(order_financings)
        .where(order_financings.c.order_id == order_id)
        .order_by(order_financings.c.requested_seq)
    )
    return [Financing(**r._mapping) for r in rows]


def pending_request(conn: Connection, order_id: str) -> Financing | None:
    return next(
        (f for f in financings_of(conn, order_id) if f.status == FinancingStatus.REQUESTED.value),
        None,
    )


def drawn_by_supplier(conn: Connection, financing_id: str) -> dict[str, int]:
    rows = conn.execute(
        select(order_draws.c.supplier, func.sum(order_draws.c.amount))
        .where(order_draws.c.financing_id == financing_id)
        .group_by(order_draws.c.supplier)
    )
    return {str(supplier): int(total) for supplier, total in rows}


def draws_of(conn: Connection, financing_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(order_draws)
        .where(order_draws.c.financing_id == financing_id)
        .order_by(order_draws.c.drawn_seq, order_draws.c.tranche_id)
    )
    return [
        {k: v.isoformat() if isinstance(v, date) else v for k, v in r._mapping.items()}
        for r in rows
    ]


def advance_bp_max(conn: Connection) -> int:
    value = conn.execute(select(order_policy.c.advance_bp_max)).scalar()
    return ADVANCE_BP_DEFAULT if value is None else int(value)


def visible_to(conn: Connection, order: Order, party_id: str) -> bool:
    """The seller, the buyer and any bank asked to finance the order see its trail."""
    if party_id in (order.seller, order.buyer):
        return True
    return any(f.bank == party_id for f in financings_of(conn, order.order_id))


# ---- the trail --------------------------------------------------------------------------------


def _document(conn: Connection, document_id: str, role: str) -> dict[str, Any]:
    doc = documents.get_document(conn, document_id)
    return {
        "role": role,
        "document_id": doc.document_id,
        "kind": doc.kind,
        "owner": doc.owner,
        "counterparty": doc.counterparty,
        "commitment": doc.commitment,
        "fingerprint": doc.fingerprint,
        "registered_seq": doc.registered_seq,
        "registered_on": doc.registered_on.isoformat(),
        "confirmed_seq": doc.confirmed_seq,
        "confirmed_on": None if doc.confirmed_on is None else doc.confirmed_on.isoformat(),
    }


def _financing_trail(conn: Connection, financing: Financing) -> dict[str, Any]:
    data = financing.to_json()
    data["draws"] = draws_of(conn, financing.financing_id)
    lien = None if financing.lien_id is None else liens.find_lien(conn, financing.lien_id)
    data["lien"] = None if lien is None else lien.to_json()
    if financing.decided_seq is not None and financing.status != FinancingStatus.DECLINED:
        data["money"] = reports.trace(conn, loan_reference(financing.financing_id))
    return data


def trail(conn: Connection, order_id: str, *, bank: str | None = None) -> dict[str, Any]:
    """One order's trail: its terms and both signatures, its documents with their commitments
    and the log positions of their registration and confirmation, each financing with its
    plan, lien and tranches, and the money moved for it. For ``bank``, only that bank's own
    financings are shown (another lender's terms are not its business)."""
    order = get_order(conn, order_id)
    attached = conn.execute(
        select(order_documents.c.document_id, order_documents.c.role)
        .where(order_documents.c.order_id == order_id)
        .order_by(order_documents.c.role, order_documents.c.document_id)
    ).all()
    financings = [f for f in financings_of(conn, order_id) if bank is None or f.bank == bank]
    payment = None
    if order.payment_id is not None:
        payment = {
            "payment_id": order.payment_id,
            "amount": order.amount,
            "to_lender": order.to_lender,
            "to_seller": order.to_seller,
            "paid_seq": order.paid_seq,
            "paid_on": None if order.paid_on is None else order.paid_on.isoformat(),
            "money": reports.trace(conn, order_reference(order_id)),
        }
    return {
        "order": order.to_json(),
        "signatures": {
            "seller": {"party_id": order.seller, "seq": order.opened_seq},
            "buyer": {"party_id": order.buyer, "seq": order.confirmed_seq},
        },
        "documents": [_document(conn, order.document_id, "purchase_order")]
        + [_document(conn, r.document_id, r.role) for r in attached],
        "financings": [_financing_trail(conn, f) for f in financings],
        "payment": payment,
    }


# ---- lists and portfolios ---------------------------------------------------------------------


def list_orders(
    conn: Connection, party_id: str | None, *, after: str | None = None, limit: int = 100
) -> list[Order]:
    """Orders the party sells or buys (all for ``None``), by id."""
    stmt = select(trade_orders).order_by(trade_orders.c.order_id).limit(_page(limit))
    if party_id is not None:
        stmt = stmt.where((trade_orders.c.seller == party_id) | (trade_orders.c.buyer == party_id))
    if after is not None:
        stmt = stmt.where(trade_orders.c.order_id > after)
    return [Order(**r._mapping) for r in conn.execute(stmt)]


def portfolio(
    conn: Connection, bank: str, *, after: str | None = None, limit: int = 100
) -> dict[str, Any]:
    """The orders a bank financed (or was asked to), with the order's value and status."""
    limit = _page(limit)
    stmt = (
        select(
            order_financings,
            trade_orders.c.buyer,
            trade_orders.c.amount.label("order_amount"),
            trade_orders.c.status.label("order_status"),
            trade_orders.c.delivery_due,
        )
        .join(trade_orders, trade_orders.c.order_id == order_financings.c.order_id)
        .where(order_financings.c.bank == bank)
        .order_by(order_financings.c.financing_id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(order_financings.c.financing_id > after)
    items = []
    for r in conn.execute(stmt):
        m = dict(r._mapping)
        extra = {k: m.pop(k) for k in ("buyer", "order_amount", "order_status", "delivery_due")}
        extra["delivery_due"] = extra["delivery_due"].isoformat()
        items.append(Financing(**m).to_json() | extra)
    funded = [i for i in items if i["status"] == FinancingStatus.FUNDED.value]
    return {
        "bank": bank,
        "amount_funded": sum(i["amount"] for i in funded),
        "financings": items,
        "next_after": items[-1]["financing_id"] if len(items) == limit else None,
    }
