"""Handlers (command → events) and appliers of the credit context, and its registration.

Handlers decide from the log's projections only. A decision's score is computed outside the
handler from the registered model's bytes and the stored inputs, and checked there against a
fresh recomputation (``intake.submit_decision``); the handler checks what the log can prove —
the model is registered and may decide, the product's policy, every consent the inputs used, the
tax attestation — and applies the policy. See docs/credit.md for why.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, insert, update

from puhui.credit import commands as c
from puhui.credit import policy as rules
from puhui.credit import views
from puhui.credit.errors import ConsentMissing, CreditIdExists, ModelCannotDecide, ScoreMismatch
from puhui.credit.features import FEATURE_VERSION
from puhui.credit.tables import (
    credit_decisions,
    credit_models,
    credit_policies,
    credit_tax_attestations,
    credit_tax_consents,
)
from puhui.documents import consent
from puhui.documents.model import Purpose
from puhui.kernel.commands import Event
from puhui.kernel.errors import PermissionDenied, RuleViolation
from puhui.kernel.registry import ApplyContext, CommandSpec, HandlerContext, Registry
from puhui.parties import views as parties
from puhui.parties.model import Role

MODEL_ROLES = frozenset({"bank", "operator"})
LENDER_ROLES = frozenset({"bank"})
DECIDING_KINDS = frozenset({"scorecard"})


def document_grant(
    conn: Connection,
    grantor: str,
    grantee: str,
    kind: str,
    today: date,
    grants: Sequence[consent.Grant] | None = None,
) -> consent.Grant | None:
    """A grant in force from ``grantor`` to ``grantee`` for credit assessment of ``kind``
    (among ``grants``, the grantor's grants, when the caller has read them already)."""
    if grants is None:
        grants = consent.grants_of(conn, grantor, limit=consent.PAGE_SIZE_MAX)
    for grant in grants:
        if (
            grant.grantee == grantee
            and grant.kind == kind
            and grant.purpose == Purpose.CREDIT_ASSESSMENT
            and grant.in_force(today)
        ):
            return grant
    return None


def register_model(ctx: HandlerContext, p: c.RegisterModel) -> Sequence[Event]:
    if views.find_model(ctx.conn, p.model_id) is not None:
        raise CreditIdExists(f"model id {p.model_id!r} is already registered")
    data = p.model_dump(mode="json") | {"registered_by": ctx.command.actor}
    return [Event("credit.model_registered", data, (ctx.command.actor,))]


def set_policy(ctx: HandlerContext, p: c.SetPolicy) -> Sequence[Event]:
    found = views.find_policy(ctx.conn, p.policy.product_id)
    if found is not None and found.owner != ctx.command.actor:
        raise PermissionDenied(f"product {found.product_id} belongs to {found.owner}")
    data = {
        "product_id": p.policy.product_id,
        "owner": ctx.command.actor,
        "version": 1 if found is None else found.version + 1,
        "policy": p.policy.to_json(),
        "policy_sha256": p.policy.sha256,
    }
    return [Event("credit.policy_set", data, (ctx.command.actor,))]


def _check_model(ctx: HandlerContext, model_id: str) -> views.Model:
    model = views.get_model(ctx.conn, model_id)
    if model.kind not in DECIDING_KINDS:
        raise ModelCannotDecide(
            f"model {model_id} is a {model.kind} challenger: it is monitored, it does not decide"
        )
    if model.feature_version != FEATURE_VERSION:
        raise ModelCannotDecide(
            f"model {model_id} uses features {model.feature_version}; "
            f"platform decisions use {FEATURE_VERSION}"
        )
    return model


def _check_attestation(ctx: HandlerContext, p: c.Decide) -> views.Attestation | None:
    if p.attestation_id is None:
        if p.tax_rating not in (None, "none"):
            raise ScoreMismatch("a tax rating can only come from a tax attestation")
        return None
    att = views.get_attestation(ctx.conn, p.attestation_id)
    if att.bank != ctx.command.actor or att.firm != p.applicant:
        raise PermissionDenied(f"attestation {att.attestation_id} is not for this bank and firm")
    granted = views.get_tax_consent(ctx.conn, att.consent_id)
    if not granted.in_force(ctx.business_date):
        raise ConsentMissing(granted.why_not(ctx.business_date))
    if p.tax_rating != att.values.get("tax_rating", "none"):
        raise ScoreMismatch(f"tax_rating {p.tax_rating!r} is not the attested rating")
    return att


def decide(ctx: HandlerContext, p: c.Decide) -> Sequence[Event]:
    lender = ctx.command.actor
    if views.find_decision(ctx.conn, p.decision_id) is not None:
        raise CreditIdExists(f"decision id {p.decision_id!r} is already used")
    _check_model(ctx, p.model_id)
    product = views.get_policy(ctx.conn, p.product_id)
    if product.owner != lender:
        raise PermissionDenied(f"product {p.product_id} belongs to {product.owner}")
    parties.get_party(ctx.conn, p.applicant)
    grants = []
    given = (
        consent.grants_of(ctx.conn, p.applicant, limit=consent.PAGE_SIZE_MAX) if p.sources else []
    )
    for kind in sorted(set(p.sources)):
        grant = document_grant(ctx.conn, p.applicant, lender, kind, ctx.business_date, given)
        if grant is None:
            raise ConsentMissing(
                f"{p.applicant} has no consent in force for {lender} to use "
                f"its {kind} documents for credit_assessment"
            )
        grants.append(grant.grant_id)
    att = _check_attestation(ctx, p)
    if not grants and att is None:
        raise ConsentMissing(f"{p.applicant} has consented to no data for this decision")
    inputs = {"tax_rating": p.tax_rating, "current_dpd_days_max": p.current_dpd_days_max}
    outcome = rules.apply(product.rules, p.score, Decimal(p.pd), inputs)
    data = p.model_dump(mode="json") | {
        "lender": lender,
        "policy_version": product.version,
        "policy_sha256": product.policy_sha256,
        "grants": grants,
        **outcome.to_json(),
    }
    return [Event("credit.decided", data, (lender, p.applicant))]


def authorize_tax_data(ctx: HandlerContext, p: c.AuthorizeTaxData) -> Sequence[Event]:
    firm = ctx.command.actor
    if views.find_tax_consent(ctx.conn, p.consent_id) is not None:
        raise CreditIdExists(f"consent id {p.consent_id!r} is already used")
    for party_id, role in ((p.bank, Role.BANK), (p.tax_authority, Role.TAX_AUTHORITY)):
        party = parties.get_party(ctx.conn, party_id)
        if role not in party.roles:
            raise RuleViolation(f"{party_id} is not a {role.value}")
    if p.valid_until < ctx.business_date:
        raise RuleViolation(f"valid_until {p.valid_until} is before {ctx.business_date}")
    data = p.model_dump(mode="json") | {"firm": firm, "fields": sorted(set(p.fields))}
    return [Event("credit.tax_data_authorized", data, (firm, p.bank, p.tax_authority))]


def revoke_tax_data(ctx: HandlerContext, p: c.RevokeTaxData) -> Sequence[Event]:
    found = views.get_tax_consent(ctx.conn, p.consent_id)
    if found.firm != ctx.command.actor:
        raise PermissionDenied(f"only {found.firm} may revoke {p.consent_id}")
    if found.revoked_seq is not None:
        raise RuleViolation(f"{p.consent_id} was already revoked on {found.revoked_on}")
    data = {"consent_id": p.consent_id}
    return [Event("credit.tax_data_revoked", data, (found.firm, found.bank, found.tax_authority))]


def attest_tax(ctx: HandlerContext, p: c.AttestTax) -> Sequence[Event]:
    granted = views.get_tax_consent(ctx.conn, p.consent_id)
    if granted.tax_authority != ctx.command.actor:
        raise PermissionDenied(f"{p.consent_id} names {granted.tax_authority} as tax authority")
    if not granted.in_force(ctx.business_date):
        raise ConsentMissing(granted.why_not(ctx.business_date))
    if sorted(p.values) != sorted(granted.field_names):
        raise RuleViolation(
            f"attest exactly the consented fields {list(granted.field_names)}, "
            f"got {sorted(p.values)}"
        )
    if views.find_attestation(ctx.conn, p.attestation_id) is not None:
        raise CreditIdExists(f"attestation id {p.attestation_id!r} is already used")
    data = {
        "attestation_id": p.attestation_id,
        "consent_id": p.consent_id,
        "firm": granted.firm,
        "bank": granted.bank,
        "tax_authority": granted.tax_authority,
        "values": dict(p.values),
    }
    return [Event("credit.tax_attested", data, (granted.firm, granted.bank, ctx.command.actor))]


# ---- appliers -------------------------------------------------------------------------------


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _apply_model(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(credit_models).values(
            model_id=d["model_id"],
            kind=d["kind"],
            sha256=d["sha256"],
            size_bytes=d["size_bytes"],
            feature_version=d["feature_version"],
            training_data_sha256=d["training_data_sha256"],
            metrics=_json(d["metrics"]),
            registered_by=d["registered_by"],
            registered_seq=ctx.seq,
            registered_on=ctx.business_date,
        )
    )


def _apply_policy(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(credit_policies).values(
            product_id=d["product_id"],
            version=d["version"],
            owner=d["owner"],
            policy=_json(d["policy"]),
            policy_sha256=d["policy_sha256"],
            set_seq=ctx.seq,
            set_on=ctx.business_date,
        )
    )


def _apply_decided(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    row = {k: d[k] for k in DECISION_COLUMNS} | {
        "reasons": _json(d["reasons"]),
        "decided_seq": ctx.seq,
        "decided_on": ctx.business_date,
    }
    conn.execute(insert(credit_decisions), row)


DECISION_COLUMNS = (
    "decision_id",
    "applicant",
    "lender",
    "product_id",
    "model_id",
    "inputs_sha256",
    "score",
    "pd",
    "outcome",
    "limit_fen",
    "rate",
    "policy_version",
    "policy_sha256",
    "attestation_id",
)


def _apply_authorized(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(credit_tax_consents).values(
            consent_id=d["consent_id"],
            firm=d["firm"],
            bank=d["bank"],
            tax_authority=d["tax_authority"],
            purpose=d["purpose"],
            fields=_json(d["fields"]),
            valid_until=date.fromisoformat(d["valid_until"]),
            granted_seq=ctx.seq,
            granted_on=ctx.business_date,
        )
    )


def _apply_revoked(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(credit_tax_consents)
        .where(credit_tax_consents.c.consent_id == e.data["consent_id"])
        .values(revoked_seq=ctx.seq, revoked_on=ctx.business_date)
    )


def _apply_attested(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(credit_tax_attestations).values(
            attestation_id=d["attestation_id"],
            consent_id=d["consent_id"],
            firm=d["firm"],
            bank=d["bank"],
            tax_authority=d["tax_authority"],
            attested_values=_json(d["values"]),
            attested_seq=ctx.seq,
            attested_on=ctx.business_date,
        )
    )


def register_context(registry: Registry) -> None:
    specs = [
        CommandSpec(
            "credit.register_model",
            c.RegisterModel,
            register_model,
            MODEL_ROLES,
            summary="Register a credit model (file hash, data digest, metrics)",
        ),
        CommandSpec(
            "credit.set_policy",
            c.SetPolicy,
            set_policy,
            LENDER_ROLES,
            summary="Set a product's credit policy (rules as data)",
        ),
        CommandSpec(
            "credit.decide",
            c.Decide,
            decide,
            LENDER_ROLES,
            summary="Record a credit decision: model, input digest, score, reasons, outcome",
        ),
        CommandSpec(
            "credit.authorize_tax_data",
            c.AuthorizeTaxData,
            authorize_tax_data,
            summary="A firm lets its tax authority attest tax figures to a bank",
        ),
        CommandSpec(
            "credit.revoke_tax_data",
            c.RevokeTaxData,
            revoke_tax_data,
            summary="Revoke a tax-data consent",
        ),
        CommandSpec(
            "credit.attest_tax",
            c.AttestTax,
            attest_tax,
            frozenset({"tax_authority"}),
            summary="A tax authority signs tax figures it computed (compute-to-data)",
        ),
    ]
    for spec in specs:
        registry.command(spec)
    registry.appliers_for(
        {
            "credit.model_registered": _apply_model,
            "credit.policy_set": _apply_policy,
            "credit.decided": _apply_decided,
            "credit.tax_data_authorized": _apply_authorized,
            "credit.tax_data_revoked": _apply_revoked,
            "credit.tax_attested": _apply_attested,
        }
    )
