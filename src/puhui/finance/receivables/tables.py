"""Projections of the receivables context (rebuilt by replay, covered by the state digest).

``receivable_pieces.path`` is the '/'-joined ids from the root piece to the piece itself, so a
trace to the root reads the piece and then its ancestors by primary key: two queries, O(depth)
rows. ``financed_pieces`` has the piece id as primary key and is never deleted: the store itself
refuses a second financing of a piece, ever.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from puhui.kernel.store.engine import metadata
from puhui.kernel.store.tables import PROJECTION

receivables = Table(
    "receivables",
    metadata,
    Column("receivable_id", String(64), primary_key=True),
    Column("issuer", String(64), nullable=False, index=True),
    Column("supplier", String(64), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("outstanding", BigInteger, nullable=False, doc="not yet paid to holders"),
    Column("currency", String(16), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("maturity_date", Date, nullable=False, index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("pieces_count", Integer, nullable=False),
    Column("issued_seq", BigInteger, nullable=False),
    Column("accepted_seq", BigInteger),
    Column("closed_seq", BigInteger, doc="settled, rejected or lapsed"),
    Column("closed_on", Date),
    info=PROJECTION,
)

receivable_documents = Table(
    "receivable_documents",
    metadata,
    Column("receivable_id", String(64), primary_key=True),
    Column("document_id", String(64), primary_key=True),
    Column("role", String(16), nullable=False, doc="contract, delivery or invoice"),
    Column("amount", BigInteger, doc="an invoice's confirmed total"),
    Column("lien_id", String(64)),
    info=PROJECTION,
)

receivable_pieces = Table(
    "receivable_pieces",
    metadata,
    Column("piece_id", String(64), primary_key=True),
    Column("receivable_id", String(64), nullable=False),
    Column("parent_id", String(64)),
    Column("depth", SmallInteger, nullable=False),
    Column("path", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("holder", String(64), nullable=False),
    Column("status", String(8), nullable=False),
    Column("contract_id", String(64), doc="the contract under which it was passed on"),
    Column("created_seq", BigInteger, nullable=False),
    Column("created_on", Date, nullable=False),
    Column("closed_seq", BigInteger),
    Index("ix_receivable_pieces_receivable_status", "receivable_id", "status"),
    Index("ix_receivable_pieces_holder_status", "holder", "status"),
    Index("ix_receivable_pieces_parent", "parent_id"),
    info=PROJECTION,
)

receivable_holdings = Table(
    "receivable_holdings",
    metadata,
    Column("piece_id", String(64), primary_key=True),
    Column("held_from_seq", BigInteger, primary_key=True, autoincrement=False),
    Column("holder", String(64), nullable=False),
    Column("receivable_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("held_from", Date, nullable=False),
    Column("held_until", Date, doc="the business date it was split, paid or passed to another"),
    Index("ix_receivable_holdings_holder", "holder", "held_from"),
    Index("ix_receivable_holdings_receivable_open", "receivable_id", "held_until"),
    info=PROJECTION,
)
"""Who held each piece over time (holders change in place on ``receivable_pieces``)."""

receivable_guarantees = Table(
    "receivable_guarantees",
    metadata,
    Column("guarantee_id", String(64), primary_key=True),
    Column("receivable_id", String(64), nullable=False, index=True),
    Column("piece_id", String(64), nullable=False, index=True),
    Column("guarantor", String(64), nullable=False, index=True),
    Column("fee", BigInteger, nullable=False),
    Column("fee_payer", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("paid", BigInteger, nullable=False, doc="paid to holders when called"),
    Column("offered_seq", BigInteger, nullable=False),
    Column("accepted_seq", BigInteger),
    Column("closed_seq", BigInteger),
    info=PROJECTION,
)

receivable_financings = Table(
    "receivable_financings",
    metadata,
    Column("financing_id", String(64), primary_key=True),
    Column("receivable_id", String(64), nullable=False, index=True),
    Column("piece_id", String(64), nullable=False, index=True),
    Column("seller", String(64), nullable=False, index=True),
    Column("bank", String(64), nullable=False, index=True),
    Column("recourse", Boolean, nullable=False),
    Column("payee", String(64), nullable=False),
    Column("face", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("annual_rate", String(32), doc="decimal string, e.g. 0.0385"),
    Column("day_count", String(16)),
    Column("days", Integer),
    Column("discount", BigInteger),
    Column("price", BigInteger),
    Column("decision", Text, doc="canonical JSON: core enterprise credit, guarantees, note"),
    Column("requested_seq", BigInteger, nullable=False),
    Column("decided_seq", BigInteger),
    Column("decided_on", Date),
    Column("closed_seq", BigInteger),
    info=PROJECTION,
)

financed_pieces = Table(
    "financed_pieces",
    metadata,
    Column("piece_id", String(64), primary_key=True),
    Column("financing_id", String(64), nullable=False, unique=True),
    info=PROJECTION,
)

receivable_settlements = Table(
    "receivable_settlements",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("receivable_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("payer", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("pieces_count", Integer, nullable=False),
    Column("settled_on", Date, nullable=False),
    info=PROJECTION,
)

receivable_policy = Table(
    "receivable_policy",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("maturity_months_max", SmallInteger, nullable=False),
    Column("set_seq", BigInteger, nullable=False),
    info=PROJECTION,
)
