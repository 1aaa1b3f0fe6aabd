"""Test data for the credit context: a small hand-written scorecard over the platform features,
a product policy, and a seller with invoices, sales and tax records under consent."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.client_credit import sign_model_registration
from puhui.credit import features, intake
from puhui.credit.features import FEATURE_VERSION
from puhui.credit.scorecard import FORMAT, model_bytes
from puhui.credit.units import Value
from puhui.kernel.service import Receipt
from tests.conftest import START
from tests.documents_support import (
    BUYER_USCC,
    NOW,
    TAX_USCC,
    invoice,
    register_document,
    tax_filing,
    trade_parties,
)

PRODUCT = "sme-working-capital"
MODEL_ID = "sme-card-1"


def scorecard_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT,
        "feature_version": FEATURE_VERSION,
        "scaling": {"points": 600, "odds": 50, "pdo": 20},
        "characteristics": [
            {
                "name": "invoice_volume_12m_fen",
                "kind": "numeric",
                "splits": ["1000000.0", "10000000.0"],
                "points": [10, 40, 70],
                "missing_points": 10,
                "labels": ["under RMB 10,000", "RMB 10,000-100,000", "over RMB 100,000"],
                "training_shares_bp": [3000, 4000, 2500, 500],
            },
            {
                "name": "buyer_concentration_bp",
                "kind": "numeric",
                "splits": ["3000.0", "7000.0"],
                "points": [60, 40, 20],
                "missing_points": 30,
                "labels": ["spread over many buyers", "a few buyers", "one dominant buyer"],
                "training_shares_bp": [3000, 4000, 2500, 500],
            },
            {
                "name": "tax_rating",
                "kind": "categorical",
                "groups": [["A"], ["B", "M"], ["C", "D", "none"]],
                "points": [80, 50, 10],
                "missing_points": 10,
                "labels": ["A", "B or M", "C, D or none"],
                "training_shares_bp": [3000, 4000, 3000, 0],
            },
            {
                "name": "late_instalments_24m",
                "kind": "numeric",
                "splits": ["1.0", "3.0"],
                "points": [60, 30, 0],
                "missing_points": 40,
                "labels": ["none late", "1-2 late", "3 or more late"],
                "training_shares_bp": [8000, 1500, 500, 0],
            },
        ],
        "calibration": {"intercept": "4.0", "slope": "-0.025"},
        "monitoring": {"score_edges": [100, 150, 200], "training_shares_bp": [2500] * 4},
    }
    return doc | changes


def policy(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product_id": PRODUCT,
        "decline_tax_ratings": ["D"],
        "refer_dpd_days_over": 90,
        "decline_score_below": 100,
        "refer_score_below": 150,
        "limit_bands": [
            {"score_min": 220, "limit_fen": 50_000_000},
            {"score_min": 150, "limit_fen": 20_000_000},
        ],
        "base_rate": "0.0350",
        "loss_given_default": "0.45",
        "margin": "0.0100",
        "rate_cap": "0.1500",
    }
    return body | changes


def register_model(
    platform: Platform,
    bank: Identity,
    model_id: str = MODEL_ID,
    doc: dict[str, Any] | None = None,
    kind: str = "scorecard",
) -> Receipt:
    content = model_bytes(doc or scorecard_doc())
    signed = sign_model_registration(
        bank,
        model_id,
        kind,
        content,
        feature_version=FEATURE_VERSION,
        training_data_sha256="0" * 64,
        metrics={"auc": "0.81"},
        business_date=START,
    )
    return intake.register_model(platform.engine, platform.kernel.submit, signed, content, NOW)


def credit_world(platform: Platform, operator: Identity) -> dict[str, Identity]:
    """Parties, a registered model and policy, and a seller with four months of invoices (each
    confirmed by the buyer), a tax filing and a rating, held by the tax bureau."""
    ids = trade_parties(platform, operator)
    bank, seller = ids["bank-a"], ids["seller"]
    register_model(platform, bank)
    platform.kernel.submit(bank.sign("credit.set_policy", {"policy": policy()}, START, "pol-1"))
    for i in range(4):
        issued = (START - timedelta(days=30 * i + 1)).isoformat()
        register_document(
            platform,
            seller,
            f"inv-{i}",
            "e_invoice",
            invoice(number=f"0481234{i}", issued_on=issued, amount_before_tax=3_000_000 + i),
            counterparty="buyer",
        )
        platform.kernel.submit(
            ids["buyer"].sign("document.confirm", {"document_id": f"inv-{i}"}, START, f"c{i}")
        )
    register_document(
        platform, seller, "filing-1", "tax_filing", tax_filing(), counterparty="tax-bureau"
    )
    rating = {
        "taxpayer_uscc": tax_filing()["taxpayer_uscc"],
        "tax_authority_uscc": TAX_USCC,
        "year": 2025,
        "rating": "A",
        "issued_on": "2026-02-01",
    }
    register_document(platform, seller, "rating-1", "tax_rating", rating, counterparty="tax-bureau")
    return ids


def credit_grant(grant_id: str, grantee: str, kind: str, until: date) -> dict[str, Any]:
    """A ``consent.grant`` payload: ``grantee`` may use the grantor's ``kind`` data for credit
    assessment until ``until``."""
    return {
        "grant_id": grant_id,
        "grantee": grantee,
        "purpose": "credit_assessment",
        "kind": kind,
        "valid_until": until.isoformat(),
    }


def features_as_of(platform: Platform, applicant: str, lender: str, day: date) -> dict[str, Value]:
    """The applicant's features as ``lender`` may compute them on ``day``, from the record."""
    with platform.engine.connect() as conn:
        record, _att = intake.gather(conn, applicant, lender, day, platform.credit_sources)
    return features.compute(record, day)


def grant_invoices(
    platform: Platform, seller: Identity, grantee: str = "bank-a", until: date = date(2026, 12, 31)
) -> None:
    payload = credit_grant(f"g-inv-{grantee}", grantee, "e_invoice", until)
    platform.kernel.submit(seller.sign("consent.grant", payload, START, f"grant-{grantee}"))


def assess_and_decide(
    platform: Platform,
    bank: Identity,
    decision_id: str,
    applicant: str = "seller",
    model_id: str = MODEL_ID,
    day: date = START,
) -> Receipt:
    assessment = intake.assess(
        platform.engine,
        decision_id=decision_id,
        lender=bank.party_id,
        applicant=applicant,
        product_id=PRODUCT,
        model_id=model_id,
        as_of=day,
        sources=platform.credit_sources,
        now=NOW,
    )
    signed = bank.sign("credit.decide", assessment.payload, day, f"decide-{decision_id}")
    return intake.submit_decision(platform.engine, platform.kernel.submit, signed)


__all__ = ["BUYER_USCC"]
