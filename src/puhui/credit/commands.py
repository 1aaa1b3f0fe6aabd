"""Command payloads of the credit context. Decisions carry the digest of their inputs, never the
values; tax attestations carry derived figures the firm consented to, never filings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints

from puhui.credit.features import TAX_FIELDS
from puhui.credit.policy import Policy
from puhui.documents.model import Purpose
from puhui.kernel.canonical import SAFE_INTEGER_MAX
from puhui.kernel.payloads import Id, Payload

Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Metric = Annotated[str, StringConstraints(pattern=r"^-?\d{1,6}(\.\d{1,8})?$")]
TaxField = Literal[
    "tax_revenue_12m_fen",
    "tax_revenue_growth_bp",
    "tax_paid_12m_fen",
    "tax_filing_months_12m",
    "tax_rating",
]
TaxValue = Annotated[StrictInt, Field(ge=-SAFE_INTEGER_MAX, le=SAFE_INTEGER_MAX)] | str | None
REASON_CHARS_MAX = 300
REASONS_MAX = 8
SOURCES_MAX = 8
METRICS_MAX = 32

if set(TaxField.__args__) != set(TAX_FIELDS):  # type: ignore[attr-defined]
    raise ImportError("TaxField and features.TAX_FIELDS disagree")


class RegisterModel(Payload):
    """``credit.register_model``: puts a model's identity on the log. Only registered models
    decide; the file itself is stored off-log under its SHA-256."""

    model_id: Id
    kind: Literal["scorecard", "gbm"]
    sha256: Hash
    size_bytes: int = Field(gt=0, le=64 * 1024 * 1024)
    feature_version: str = Field(min_length=1, max_length=64)
    training_data_sha256: Hash
    metrics: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")], Metric] = (
        Field(default_factory=dict, max_length=METRICS_MAX)
    )


class SetPolicy(Payload):
    """``credit.set_policy``: the lender sets (a new version of) a product's policy."""

    policy: Policy


class Reason(Payload):
    feature: str = Field(min_length=1, max_length=64)
    points_below_best: int = Field(ge=0)
    text: str = Field(min_length=1, max_length=REASON_CHARS_MAX)


class Decide(Payload):
    """``credit.decide``: the lender records a decision scored outside the handler (see
    docs/credit.md: the API recomputes and checks the score before submitting)."""

    decision_id: Id
    applicant: Id
    product_id: Id
    model_id: Id
    inputs_sha256: Hash
    score: int = Field(ge=-100_000, le=100_000)
    pd: Annotated[str, StringConstraints(pattern=r"^(0\.\d{6}|1\.000000)$")]
    reasons: tuple[Reason, ...] = Field(max_length=REASONS_MAX)
    tax_rating: str | None = Field(default=None, max_length=8)
    current_dpd_days_max: int | None = Field(default=None, ge=0)
    sources: tuple[Literal["e_invoice", "sales_record", "iot_batch"], ...] = Field(
        max_length=SOURCES_MAX
    )
    attestation_id: Id | None = None


class AuthorizeTaxData(Payload):
    """``credit.authorize_tax_data``: the firm lets ``tax_authority`` compute the named tax
    fields on its side and attest them to ``bank``, for ``purpose``, until ``valid_until``."""

    consent_id: Id
    bank: Id
    tax_authority: Id
    purpose: Purpose = Purpose.CREDIT_ASSESSMENT
    fields: tuple[TaxField, ...] = Field(min_length=1, max_length=len(TAX_FIELDS))
    valid_until: date


class RevokeTaxData(Payload):
    consent_id: Id


class AttestTax(Payload):
    """``credit.attest_tax``: the tax authority signs the figures it computed from the filings
    it holds; exactly the consented fields, nothing else."""

    attestation_id: Id
    consent_id: Id
    values: dict[TaxField, TaxValue]
