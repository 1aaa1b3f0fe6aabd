"""Projections of the order-financing context (rebuilt by replay, covered by the state digest).

``trade_orders.document_id`` is unique: one order per purchase order. ``financing_id`` on the
order is set when a bank funds it and never cleared, so an order is financed once, ever; the
purchase order's lien (in the documents context) stops any other financing while the loan runs.
``order_documents`` has the document id as primary key: a delivery note or invoice belongs to
one order.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Index, SmallInteger, String, Table, Text

from puhui.kernel.store.engine import metadata
from puhui.kernel.store.tables import PROJECTION

trade_orders = Table(
    "trade_orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("document_id", String(64), nullable=False, unique=True),
    Column("seller", String(64), nullable=False, index=True),
    Column("buyer", String(64), nullable=False, index=True),
    Column("currency", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("delivery_due", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("opened_seq", BigInteger, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("confirmed_seq", BigInteger),
    Column("confirmed_on", Date),
    Column("financing_id", String(64), doc="the funded financing; never cleared"),
    Column("payment_id", String(64)),
    Column("paid_seq", BigInteger),
    Column("paid_on", Date),
    Column("to_lender", BigInteger),
    Column("to_seller", BigInteger),
    info=PROJECTION,
)

order_financings = Table(
    "order_financings",
    metadata,
    Column("financing_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("seller", String(64), nullable=False),
    Column("bank", String(64), nullable=False, index=True),
    Column("product_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("term_periods", SmallInteger, nullable=False),
    Column("annual_rate_max", String(32), nullable=False),
    Column("annual_rate", String(32)),
    Column("plan", Text, nullable=False, doc="JSON [[supplier, amount], ...]"),
    Column("status", String(16), nullable=False),
    Column("lien_id", String(64)),
    Column("note", String(500), doc="the bank's note, or its reason for declining"),
    Column("requested_seq", BigInteger, nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("decided_seq", BigInteger),
    Column("decided_on", Date),
    Column("closed_seq", BigInteger),
    info=PROJECTION,
)

order_draws = Table(
    "order_draws",
    metadata,
    Column("financing_id", String(64), primary_key=True),
    Column("tranche_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("supplier", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("drawn_seq", BigInteger, nullable=False),
    Column("drawn_on", Date, nullable=False),
    info=PROJECTION,
)

order_documents = Table(
    "order_documents",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("role", String(16), nullable=False, doc="delivery or invoice"),
    Column("attached_seq", BigInteger, nullable=False),
    Index("ix_order_documents_order", "order_id"),
    info=PROJECTION,
)

order_policy = Table(
    "order_policy",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("advance_bp_max", SmallInteger, nullable=False),
    Column("set_seq", BigInteger, nullable=False),
    info=PROJECTION,
)
