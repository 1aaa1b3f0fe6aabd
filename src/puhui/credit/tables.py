"""Tables of the credit context.

Projections (rebuilt by replay): registered models, product policies, decisions, tax-data
consents and tax attestations. NOT projections (off-log bytes, like document contents): model
files (``credit_model_files``, keyed by SHA-256) and decision inputs (``credit_inputs``, keyed by
the digest the decision carries). Replay leaves them alone; `puhui credit explain` checks them
against the hashes on the log.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, LargeBinary, String, Table, Text

from puhui.kernel.store.engine import metadata
from puhui.kernel.store.tables import PROJECTION

credit_models = Table(
    "credit_models",
    metadata,
    Column("model_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("feature_version", String(64), nullable=False),
    Column("training_data_sha256", String(64), nullable=False),
    Column("metrics", Text, nullable=False),
    Column("registered_by", String(64), nullable=False),
    Column("registered_seq", BigInteger, nullable=False),
    Column("registered_on", Date, nullable=False),
    info=PROJECTION,
)

credit_policies = Table(
    "credit_policies",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("policy", Text, nullable=False),
    Column("policy_sha256", String(64), nullable=False),
    Column("set_seq", BigInteger, nullable=False),
    Column("set_on", Date, nullable=False),
    info=PROJECTION,
)

credit_decisions = Table(
    "credit_decisions",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("applicant", String(64), nullable=False, index=True),
    Column("lender", String(64), nullable=False, index=True),
    Column("product_id", String(64), nullable=False),
    Column("model_id", String(64), nullable=False, index=True),
    Column("inputs_sha256", String(64), nullable=False),
    Column("score", Integer, nullable=False),
    Column("pd", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("limit_fen", BigInteger, nullable=False),
    Column("rate", String(16)),
    Column("reasons", Text, nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("policy_sha256", String(64), nullable=False),
    Column("attestation_id", String(64)),
    Column("decided_seq", BigInteger, nullable=False),
    Column("decided_on", Date, nullable=False),
    info=PROJECTION,
)

credit_tax_consents = Table(
    "credit_tax_consents",
    metadata,
    Column("consent_id", String(64), primary_key=True),
    Column("firm", String(64), nullable=False, index=True),
    Column("bank", String(64), nullable=False, index=True),
    Column("tax_authority", String(64), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("fields", Text, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("granted_seq", BigInteger, nullable=False),
    Column("granted_on", Date, nullable=False),
    Column("revoked_seq", BigInteger),
    Column("revoked_on", Date),
    info=PROJECTION,
)

credit_tax_attestations = Table(
    "credit_tax_attestations",
    metadata,
    Column("attestation_id", String(64), primary_key=True),
    Column("consent_id", String(64), nullable=False, index=True),
    Column("firm", String(64), nullable=False, index=True),
    Column("bank", String(64), nullable=False),
    Column("tax_authority", String(64), nullable=False),
    Column("attested_values", Text, nullable=False),
    Column("attested_seq", BigInteger, nullable=False),
    Column("attested_on", Date, nullable=False),
    info=PROJECTION,
)

credit_model_files = Table(
    "credit_model_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

credit_inputs = Table(
    "credit_inputs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)
