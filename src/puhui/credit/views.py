"""Read functions of the credit context, and the off-log stores (model files, decision inputs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from puhui.credit.errors import (
    UnknownAttestation,
    UnknownDecision,
    UnknownModel,
    UnknownPolicy,
    UnknownTaxConsent,
)
from puhui.credit.policy import Policy
from puhui.credit.tables import (
    credit_decisions,
    credit_inputs,
    credit_model_files,
    credit_models,
    credit_policies,
    credit_tax_attestations,
    credit_tax_consents,
)
from puhui.documents.views import as_json

PAGE_SIZE_MAX = 500


@dataclass(frozen=True)
class Model:
    model_id: str
    kind: str
    sha256: str
    size_bytes: int
    feature_version: str
    training_data_sha256: str
    metrics: str
    registered_by: str
    registered_seq: int
    registered_on: date

    def to_json(self) -> dict[str, Any]:
        return as_json(self) | {"metrics": json.loads(self.metrics)}


@dataclass(frozen=True)
class ProductPolicy:
    product_id: str
    owner: str
    version: int
    policy: str
    policy_sha256: str
    set_seq: int
    set_on: date

    @property
    def rules(self) -> Policy:
        return Policy.model_validate_json(self.policy)

    def to_json(self) -> dict[str, Any]:
        return as_json(self) | {"policy": json.loads(self.policy)}


@dataclass(frozen=True)
class Decision:
    decision_id: str
    applicant: str
    lender: str
    product_id: str
    model_id: str
    inputs_sha256: str
    score: int
    pd: str
    outcome: str
    limit_fen: int
    rate: str | None
    reasons: str
    policy_version: int
    policy_sha256: str
    attestation_id: str | None
    decided_seq: int
    decided_on: date

    def to_json(self) -> dict[str, Any]:
        return as_json(self) | {"reasons": json.loads(self.reasons)}

    def concerns(self, party_id: str) -> bool:
        return party_id in (self.applicant, self.lender)


@dataclass(frozen=True)
class TaxConsent:
    consent_id: str
    firm: str
    bank: str
    tax_authority: str
    purpose: str
    fields: str
    valid_until: date
    granted_seq: int
    granted_on: date
    revoked_seq: int | None
    revoked_on: date | None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(json.loads(self.fields))

    def in_force(self, today: date) -> bool:
        return self.revoked_seq is None and today <= self.valid_until

    def why_not(self, today: date) -> str:
        if self.revoked_seq is not None:
            return f"tax-data consent {self.consent_id} was revoked on {self.revoked_on}"
        return f"tax-data consent {self.consent_id} expired after {self.valid_until}"

    def to_json(self) -> dict[str, Any]:
        return as_json(self) | {"fields": list(self.field_names)}


@dataclass(frozen=True)
class Attestation:
    attestation_id: str
    consent_id: str
    firm: str
    bank: str
    tax_authority: str
    attested_values: str
    attested_seq: int
    attested_on: date

    @property
    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.attested_values)
        return found

    def to_json(self) -> dict[str, Any]:
        return as_json(self) | {"attested_values": self.values}


def _one(conn: Connection, table: Any, column: Any, key: str) -> Any:
    return conn.execute(select(table).where(column == key)).first()


def find_model(conn: Connection, model_id: str) -> Model | None:
    row = _one(conn, credit_models, credit_models.c.model_id, model_id)
    return None if row is None else Model(**row._mapping)


def get_model(conn: Connection, model_id: str) -> Model:
    found = find_model(conn, model_id)
    if found is None:
        raise UnknownModel(f"no registered model {model_id!r}: only registered models decide")
    return found


def list_models(conn: Connection, limit: int = 100) -> list[Model]:
    stmt = select(credit_models).order_by(credit_models.c.registered_seq.desc())
    rows = conn.execute(stmt.limit(max(1, min(limit, PAGE_SIZE_MAX))))
    return [Model(**r._mapping) for r in rows]


def find_policy(
    conn: Connection, product_id: str, version: int | None = None
) -> ProductPolicy | None:
    """The product's policy: the latest version, or the one named."""
    stmt = select(credit_policies).where(credit_policies.c.product_id == product_id)
    if version is not None:
        stmt = stmt.where(credit_policies.c.version == version)
    row = conn.execute(stmt.order_by(credit_policies.c.version.desc()).limit(1)).first()
    return None if row is None else ProductPolicy(**row._mapping)


def get_policy(conn: Connection, product_id: str, version: int | None = None) -> ProductPolicy:
    found = find_policy(conn, product_id, version)
    if found is None:
        raise UnknownPolicy(f"no credit policy for product {product_id!r}")
    return found


def find_decision(conn: Connection, decision_id: str) -> Decision | None:
    row = _one(conn, credit_decisions, credit_decisions.c.decision_id, decision_id)
    return None if row is None else Decision(**row._mapping)


def get_decision(conn: Connection, decision_id: str) -> Decision:
    found = find_decision(conn, decision_id)
    if found is None:
        raise UnknownDecision(f"no credit decision {decision_id!r}")
    return found


def recent_decisions(
    conn: Connection, model_id: str, since: date, limit: int = PAGE_SIZE_MAX
) -> list[Decision]:
    stmt = (
        select(credit_decisions)
        .where(credit_decisions.c.model_id == model_id, credit_decisions.c.decided_on >= since)
        .order_by(credit_decisions.c.decided_seq.desc())
        .limit(max(1, min(limit, 100_000)))
    )
    return [Decision(**r._mapping) for r in conn.execute(stmt)]


def decisions_of(
    conn: Connection,
    party_id: str | None,
    *,
    applicant: str | None = None,
    before_seq: int | None = None,
    limit: int = 100,
) -> list[Decision]:
    """Decisions where ``party_id`` is lender or applicant (all when None), newest first."""
    stmt = (
        select(credit_decisions)
        .order_by(credit_decisions.c.decided_seq.desc())
        .limit(max(1, min(limit, PAGE_SIZE_MAX)))
    )
    if party_id is not None:
        stmt = stmt.where(
            (credit_decisions.c.lender == party_id) | (credit_decisions.c.applicant == party_id)
        )
    if applicant is not None:
        stmt = stmt.where(credit_decisions.c.applicant == applicant)
    if before_seq is not None:
        stmt = stmt.where(credit_decisions.c.decided_seq < before_seq)
    return [Decision(**r._mapping) for r in conn.execute(stmt)]


def find_tax_consent(conn: Connection, consent_id: str) -> TaxConsent | None:
    row = _one(conn, credit_tax_consents, credit_tax_consents.c.consent_id, consent_id)
    return None if row is None else TaxConsent(**row._mapping)


def get_tax_consent(conn: Connection, consent_id: str) -> TaxConsent:
    found = find_tax_consent(conn, consent_id)
    if found is None:
        raise UnknownTaxConsent(f"no tax-data consent {consent_id!r}")
    return found


def tax_consents_of(conn: Connection, firm: str, limit: int = 100) -> list[TaxConsent]:
    stmt = (
        select(credit_tax_consents)
        .where(credit_tax_consents.c.firm == firm)
        .order_by(credit_tax_consents.c.granted_seq.desc())
        .limit(max(1, min(limit, PAGE_SIZE_MAX)))
    )
    return [TaxConsent(**r._mapping) for r in conn.execute(stmt)]


def find_attestation(conn: Connection, attestation_id: str) -> Attestation | None:
    row = _one(
        conn, credit_tax_attestations, credit_tax_attestations.c.attestation_id, attestation_id
    )
    return None if row is None else Attestation(**row._mapping)


def get_attestation(conn: Connection, attestation_id: str) -> Attestation:
    found = find_attestation(conn, attestation_id)
    if found is None:
        raise UnknownAttestation(f"no tax attestation {attestation_id!r}")
    return found


def latest_attestation(conn: Connection, firm: str, bank: str) -> Attestation | None:
    row = conn.execute(
        select(credit_tax_attestations)
        .where(credit_tax_attestations.c.firm == firm, credit_tax_attestations.c.bank == bank)
        .order_by(credit_tax_attestations.c.attested_seq.desc())
        .limit(1)
    ).first()
    return None if row is None else Attestation(**row._mapping)


# ---- off-log bytes --------------------------------------------------------------------------


def _stored(conn: Connection, table: Any, sha256: str) -> bytes | None:
    row = conn.execute(select(table.c.content).where(table.c.sha256 == sha256)).first()
    return None if row is None else bytes(row[0])


def _store(conn: Connection, table: Any, sha256: str, content: bytes, now: datetime) -> bool:
    if _stored(conn, table, sha256) is not None:
        return False
    conn.execute(insert(table).values(sha256=sha256, content=content, stored_at=now))
    return True


def model_file(conn: Connection, sha256: str) -> bytes | None:
    return _stored(conn, credit_model_files, sha256)


def store_model_file(conn: Connection, sha256: str, content: bytes, now: datetime) -> bool:
    return _store(conn, credit_model_files, sha256, content, now)


def stored_inputs(conn: Connection, sha256: str) -> bytes | None:
    return _stored(conn, credit_inputs, sha256)


def store_inputs(conn: Connection, sha256: str, content: bytes, now: datetime) -> bool:
    return _store(conn, credit_inputs, sha256, content, now)
