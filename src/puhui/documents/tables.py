"""Tables of the documents context.

Projections (rebuilt by replay, covered by the state digest): documents, devices, consent
grants, recorded reads, liens and the encumbrance index.

``document_contents`` is NOT a projection: it holds the off-log bytes (normalised content, salt,
attached file). Replay leaves it alone, the state digest ignores it, and offline `puhui verify`
never needs it — the log holds only commitments. It has no foreign key to ``documents`` so
replay can clear and rebuild the projections around it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, LargeBinary, String, Table

from puhui.kernel.store.engine import metadata
from puhui.kernel.store.tables import PROJECTION

documents = Table(
    "documents",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("owner", String(64), nullable=False, index=True),
    Column("counterparty", String(64), index=True),
    Column("device_id", String(64), index=True),
    Column("commitment", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("file_name", String(200)),
    Column("file_media_type", String(100)),
    Column("file_size_bytes", BigInteger),
    Column("registered_seq", BigInteger, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("confirmed_seq", BigInteger),
    Column("confirmed_on", Date),
    info=PROJECTION,
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(64), primary_key=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("registered_seq", BigInteger, nullable=False),
    Column("registered_on", Date, nullable=False),
    info=PROJECTION,
)

consent_grants = Table(
    "consent_grants",
    metadata,
    Column("grant_id", String(64), primary_key=True),
    Column("grantor", String(64), nullable=False, index=True),
    Column("grantee", String(64), nullable=False, index=True),
    Column("purpose", String(32), nullable=False),
    Column("document_id", String(64)),
    Column("kind", String(32)),
    Column("valid_until", Date, nullable=False),
    Column("granted_seq", BigInteger, nullable=False),
    Column("granted_on", Date, nullable=False),
    Column("revoked_seq", BigInteger),
    Column("revoked_on", Date),
    Column("revoke_reason", String(200)),
    info=PROJECTION,
)

document_reads = Table(
    "document_reads",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("document_id", String(64), nullable=False, index=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("reader", String(64), nullable=False, index=True),
    Column("purpose", String(32), nullable=False),
    Column("outcome", String(16), nullable=False, doc="'granted' or 'refused'"),
    Column("basis", String(16)),
    Column("grant_id", String(64)),
    Column("reason", String(200)),
    Column("read_on", Date, nullable=False),
    info=PROJECTION,
)

liens = Table(
    "liens",
    metadata,
    Column("lien_id", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("holder", String(64), nullable=False, index=True),
    Column("grantor", String(64), nullable=False, index=True),
    Column("document_id", String(64)),
    Column("terms_sha256", String(64)),
    Column("registered_seq", BigInteger, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("released_seq", BigInteger),
    Column("released_on", Date),
    Column("release_reason", String(32)),
    info=PROJECTION,
)

# one row per encumbered fingerprint: the store itself refuses a second lien
lien_encumbrances = Table(
    "lien_encumbrances",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("lien_id", String(64), nullable=False, unique=True),
    info=PROJECTION,
)

document_contents = Table(
    "document_contents",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("salt", LargeBinary(32), nullable=False),
    Column("content", LargeBinary, nullable=False, doc="canonical {kind, body, file_sha256}"),
    Column("file", LargeBinary),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)
