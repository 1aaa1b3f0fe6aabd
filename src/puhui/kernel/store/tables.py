"""The kernel's tables.

The log itself (entries, Merkle nodes, head, checkpoints, cosignatures) is the source of truth
and is never rebuilt. Tables marked ``info={"projection": True}`` are caches of the log that
`puhui replay` rebuilds and the state digest covers.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
)

from puhui.kernel.store.engine import metadata

PROJECTION = {"projection": True}

log_head = Table(
    "log_head",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("frontier", LargeBinary, nullable=False, doc="concatenated 32-byte subtree roots"),
)

log_entries = Table(
    "log_entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("body", LargeBinary, nullable=False, doc="RFC 8785 canonical JSON of the entry"),
)

merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False, doc="C2SP signed note, log signature only"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

cosignatures = Table(
    "cosignatures",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("witness", String(200), primary_key=True),
    Column("line", Text, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)

clock = Table(
    "clock",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("business_date", Date, nullable=False),
    Column("started_on", Date, nullable=False),
    Column("days_closed", Integer, nullable=False),
    info=PROJECTION,
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("actor", String(64), primary_key=True),
    Column("idempotency_key", String(128), primary_key=True),
    Column("command_hash", LargeBinary(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
    info=PROJECTION,
)

entry_parties = Table(
    "entry_parties",
    metadata,
    Column("party_id", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("role", String(16), nullable=False, doc="'signer' or 'named'"),
    info=PROJECTION,
)
