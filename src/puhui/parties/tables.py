"""Tables of the parties context. Projections are rebuilt from the log; ``custodial_keys`` and
``custodial_passphrases`` are secret stores that live only here (their public halves are on the
log)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
)

from puhui.kernel.store.engine import metadata
from puhui.kernel.store.tables import PROJECTION

parties = Table(
    "parties",
    metadata,
    Column("party_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("uscc", String(18), unique=True),
    Column("region", String(6)),
    Column("status", String(16), nullable=False),
    Column("registered_seq", BigInteger, nullable=False),
    Column("registered_on", Date, nullable=False),
    info=PROJECTION,
)

party_roles = Table(
    "party_roles",
    metadata,
    Column("party_id", String(64), ForeignKey("parties.party_id"), primary_key=True),
    Column("role", String(32), primary_key=True, index=True),
    info=PROJECTION,
)

party_keys = Table(
    "party_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("party_id", String(64), ForeignKey("parties.party_id"), nullable=False, index=True),
    Column("public_key", LargeBinary(32), nullable=False, unique=True),
    Column("added_seq", BigInteger, nullable=False),
    Column("revoked_seq", BigInteger),
    Column("revoked_reason", String(200)),
    info=PROJECTION,
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(16), primary_key=True),
    Column("party_id", String(64), ForeignKey("parties.party_id"), nullable=False, index=True),
    Column("secret_sha256", LargeBinary(32), nullable=False),
    Column("label", String(100), nullable=False),
    Column("issued_seq", BigInteger, nullable=False),
    Column("revoked_seq", BigInteger),
    info=PROJECTION,
)

custodial_keys = Table(
    "custodial_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("party_id", String(64), nullable=False, index=True),
    Column("nonce", LargeBinary(12), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False, doc="AES-256-GCM of the 32-byte seed"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

custodial_passphrases = Table(
    "custodial_passphrases",
    metadata,
    Column("key_id", String(16), primary_key=True, doc="a custodial key of the party"),
    Column("party_id", String(64), nullable=False, unique=True),
    Column("kdf", String(24), nullable=False, doc="PBKDF2-SHA256"),
    Column("iterations", Integer, nullable=False),
    Column("salt", LargeBinary(16), nullable=False),
    Column("auth_sha256", LargeBinary(32), nullable=False, doc="SHA-256 of the derived auth key"),
    Column("nonce", LargeBinary(12), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False, doc="AES-256-GCM of the seed, AAD key id"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
