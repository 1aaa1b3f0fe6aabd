"""Tables of the accounts context; every one is a projection of the log.

``accounts`` holds each account's current running totals. ``postings`` holds one row per side
of every balance change, stamped with its log position and carrying the account's totals after
it: the balance at any position is the last posting at or before it, and a statement is a range
of postings. ``transfers`` are immutable; the state of a pending transfer lives in
``pending_transfers``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
)

from puhui.kernel.store.engine import metadata
from puhui.kernel.store.tables import PROJECTION

ACCOUNT_ID = String(100)
TRANSFER_ID = String(64)

currencies = Table(
    "currencies",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("scale", SmallInteger, nullable=False),
    Column("name", String(100), nullable=False),
    Column("rails", String(200), nullable=False, doc="comma-separated external rails"),
    Column("added_seq", BigInteger, nullable=False),
    info=PROJECTION,
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", ACCOUNT_ID, primary_key=True),
    Column("party_id", String(64), ForeignKey("parties.party_id"), nullable=False, index=True),
    Column("currency", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("debits_must_not_exceed_credits", Boolean, nullable=False),
    Column("credits_must_not_exceed_debits", Boolean, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("opened_seq", BigInteger, nullable=False),
    Column("debits_posted", BigInteger, nullable=False),
    Column("credits_posted", BigInteger, nullable=False),
    Column("debits_pending", BigInteger, nullable=False),
    Column("credits_pending", BigInteger, nullable=False),
    info=PROJECTION,
)

transfers = Table(
    "transfers",
    metadata,
    Column("transfer_id", TRANSFER_ID, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("debit_account_id", ACCOUNT_ID, nullable=False),
    Column("credit_account_id", ACCOUNT_ID, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(16), nullable=False),
    Column("code", Integer, nullable=False),
    Column("reference", String(100), index=True),
    Column("pending_id", TRANSFER_ID, doc="the pending transfer a post or void resolves"),
    Column("released", BigInteger, doc="pending amount a post or void releases"),
    Column("expires_on", Date),
    Column("payee", String(64)),
    Column("origin", String(100), index=True, doc="set on payee-restricted (bound) funds"),
    Column("rail", String(16), nullable=False),
    Column("external_ref", String(128)),
    info=PROJECTION,
)

pending_transfers = Table(
    "pending_transfers",
    metadata,
    Column("transfer_id", TRANSFER_ID, primary_key=True),
    Column("status", String(8), nullable=False),
    Column("expires_on", Date, index=True),
    Column("resolved_by", TRANSFER_ID),
    Column("resolved_seq", BigInteger),
    info=PROJECTION,
)

postings = Table(
    "postings",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("account_id", ACCOUNT_ID, nullable=False),
    Column("transfer_id", TRANSFER_ID, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("side", String(1), nullable=False, doc="D or C"),
    Column("business_date", Date, nullable=False),
    Column("debits_posted", BigInteger, nullable=False, doc="totals after this posting"),
    Column("credits_posted", BigInteger, nullable=False),
    Column("debits_pending", BigInteger, nullable=False),
    Column("credits_pending", BigInteger, nullable=False),
    Index("ix_postings_account_seq", "account_id", "seq", "line"),
    info=PROJECTION,
)
