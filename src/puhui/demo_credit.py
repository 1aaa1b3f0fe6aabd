"""The credit part of the demo: tax-data credit (银税互动) by compute-to-data.

The cooperative bank registers a scorecard (trained by `puhui credit train` on the synthetic
SME population and shipped in ``puhui/credit/models``) and sets the policy of its working
capital product. The feed supplier has six months of invoices to the core enterprise on the
record, confirmed by it, and lets the bank use them; it also lets the tax bureau attest its
tax figures to the bank. The bureau computes them on its side from the filings it holds and
signs them; the bank decides without ever receiving a filing, and `explain` reproduces the
decision. The city bank, without consent, is refused; once the supplier revokes the tax
consent, the bank can no longer use the attestation.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib.resources import files
from typing import Any

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.client_credit import sign_model_registration
from puhui.client_documents import sign_registration
from puhui.credit import intake, tax, views
from puhui.credit.explain import explain
from puhui.credit.features import FEATURE_VERSION, TAX_FIELDS
from puhui.credit.production_facts import PRODUCTION_FIELDS
from puhui.documents import intake as documents
from puhui.kernel.errors import PuhuiError
from puhui.kernel.service import utc_now

MODEL_ID = "sme-2026-11"
PRODUCT = "coop-sme-working-capital"
SUPPLIER_USCC = "91320500MA1P2Q3R4J"
CORE_USCC = "91440300MA5F7X8Y97"
TAX_USCC = "11350100MB01382011"
MONTHS_OF_INVOICES = 6
GRANT_DAYS = 90
POLICY: dict[str, Any] = {
    "product_id": PRODUCT,
    "decline_tax_ratings": ["D"],
    "refer_dpd_days_over": 90,
    "decline_score_below": 440,
    "refer_score_below": 480,
    "limit_bands": [
        {"score_min": 560, "limit_fen": 50_000_000},
        {"score_min": 520, "limit_fen": 30_000_000},
        {"score_min": 480, "limit_fen": 10_000_000},
    ],
    "base_rate": "0.0345",
    "loss_given_default": "0.45",
    "margin": "0.0100",
    "rate_cap": "0.1500",
}


def model_file() -> bytes:
    return (files("puhui") / "credit" / "models" / f"{MODEL_ID}.scorecard.json").read_bytes()


def register_model_and_policy(platform: Platform, bank: Identity, day: date) -> None:
    content = model_file()
    card = json.loads((files("puhui") / "credit" / "models" / f"{MODEL_ID}.card.json").read_text())
    signed = sign_model_registration(
        bank,
        MODEL_ID,
        "scorecard",
        content,
        feature_version=FEATURE_VERSION,
        training_data_sha256=card["training"]["data_sha256"],
        metrics={k: str(v) for k, v in card["metrics"]["scorecard"].items()},
        business_date=day,
    )
    intake.register_model(platform.engine, platform.kernel.submit, signed, content, utc_now())
    platform.kernel.submit(bank.sign("credit.set_policy", {"policy": POLICY}, day, "demo-policy"))


def _invoices(platform: Platform, supplier: Identity, core: Identity, day: date) -> None:
    for month in range(MONTHS_OF_INVOICES):
        doc_id = f"inv-2025-{month:04d}"
        body = {
            "code": "3500251130",
            "number": f"0009{month:04d}",
            "seller_uscc": SUPPLIER_USCC,
            "buyer_uscc": CORE_USCC,
            "amount_before_tax": 12_000_000 + 500_000 * month,
            "tax": 1_560_000,
            "issued_on": (day - timedelta(days=30 * month + 5)).isoformat(),
            "check_code": f"7351904621883045{month:04d}",
        }
        signed, package = sign_registration(
            supplier, doc_id, "e_invoice", body, day, counterparty="core-poultry"
        )
        documents.register(platform.engine, platform.kernel.submit, signed, package, utc_now())
        confirm = {"document_id": doc_id}
        platform.kernel.submit(core.sign("document.confirm", confirm, day, f"demo-c-{doc_id}"))


def _grant_coop_bank(
    platform: Platform, grantor: Identity, grant_id: str, kind: str, day: date, key: str
) -> None:
    """``grantor`` lets coop-bank use its ``kind`` data for credit assessment, for
    ``GRANT_DAYS``."""
    grant = {
        "grant_id": grant_id,
        "grantee": "coop-bank",
        "purpose": "credit_assessment",
        "valid_until": (day + timedelta(days=GRANT_DAYS)).isoformat(),
        "kind": kind,
    }
    platform.kernel.submit(grantor.sign("consent.grant", grant, day, key))


def _decide(
    platform: Platform,
    bank: Identity,
    decision_id: str,
    day: date,
    applicant: str = "feed-supplier",
) -> Any:
    assessment = intake.assess(
        platform.engine,
        decision_id=decision_id,
        lender=bank.party_id,
        applicant=applicant,
        product_id=PRODUCT,
        model_id=MODEL_ID,
        as_of=day,
        sources=platform.credit_sources,
        now=utc_now(),
    )
    signed = bank.sign("credit.decide", assessment.payload, day, f"demo-{decision_id}")
    return intake.submit_decision(platform.engine, platform.kernel.submit, signed)


def load(platform: Platform, ids: dict[str, Identity], day: date) -> list[str]:
    kernel = platform.kernel
    bank, supplier, bureau = ids["coop-bank"], ids["feed-supplier"], ids["tax-bureau"]
    register_model_and_policy(platform, bank, day)
    _invoices(platform, supplier, ids["core-poultry"], day)
    rating = {
        "taxpayer_uscc": SUPPLIER_USCC,
        "tax_authority_uscc": TAX_USCC,
        "year": 2025,
        "rating": "A",
        "issued_on": "2026-02-20",
    }
    signed, package = sign_registration(
        supplier, "rating-2025", "tax_rating", rating, day, counterparty="tax-bureau"
    )
    documents.register(platform.engine, kernel.submit, signed, package, utc_now())
    _grant_coop_bank(
        platform, supplier, "grant-coop-invoices", "e_invoice", day, "demo-grant-invoices"
    )
    until = (day + timedelta(days=GRANT_DAYS)).isoformat()
    consent = {
        "consent_id": "tax-coop-1",
        "bank": "coop-bank",
        "tax_authority": "tax-bureau",
        "fields": list(TAX_FIELDS),
        "valid_until": until,
    }
    kernel.submit(supplier.sign("credit.authorize_tax_data", consent, day, "demo-tax-consent"))
    with platform.engine.connect() as conn:  # the bureau's side: its own filings, its own code
        filings, ratings = tax.held_records(conn, "tax-bureau", "feed-supplier")
        values = tax.attestation_values(
            views.get_tax_consent(conn, "tax-coop-1"), "tax-bureau", filings, ratings, day
        )
    attest = {"attestation_id": "tax-att-1", "consent_id": "tax-coop-1", "values": values}
    kernel.submit(bureau.sign("credit.attest_tax", attest, day, "demo-attest"))
    lines = [f"tax bureau attested {values} to coop-bank (no filing left the bureau)"]
    data = _decide(platform, bank, "dec-coop-0001", day).events[0].data
    lines.append(
        f"coop-bank decision dec-coop-0001: {data['outcome']}, score {data['score']}, "
        f"PD {data['pd']}, limit {data['limit_fen']} fen at {data['rate']}"
    )
    with platform.engine.connect() as conn:
        why = explain(conn, "dec-coop-0001")
    lines.append(f"explain dec-coop-0001: reproduced bit for bit = {why.reproduced}")
    try:
        _decide(platform, ids["city-bank"], "dec-city-0001", day)
        lines.append("city-bank decided WITHOUT consent")
    except PuhuiError as exc:
        lines.append(f"city-bank refused: {exc.detail}")
    kernel.submit(
        supplier.sign(
            "credit.revoke_tax_data", {"consent_id": "tax-coop-1"}, day, "demo-tax-revoke"
        )
    )
    again = intake.assess(
        platform.engine,
        decision_id="dec-coop-0002",
        lender="coop-bank",
        applicant="feed-supplier",
        product_id=PRODUCT,
        model_id=MODEL_ID,
        as_of=day,
        sources=platform.credit_sources,
        now=utc_now(),
    )
    lines.append(
        f"after revocation the attestation is no longer used: tax_rating "
        f"{again.values['tax_rating']!r}, attestation {again.payload['attestation_id']}"
    )
    return lines


def farm_decision(platform: Platform, ids: dict[str, Identity], day: date) -> list[str]:
    """After its cycles: farmer Li shares its production record with coop-bank, which decides
    on it with the same scorecard (the farm features read as of ``day``, today)."""
    farmer = ids["farmer-li"]
    _grant_coop_bank(platform, farmer, "grant-li-production", "iot_batch", day, "demo-li-grant")
    data = _decide(platform, ids["coop-bank"], "dec-coop-li-0001", day, "farmer-li").events[0].data
    with platform.engine.connect() as conn:
        values = intake.load_inputs(conn, data["inputs_sha256"])["values"]
    farm = ", ".join(f"{name} {values[name]}" for name in PRODUCTION_FIELDS)
    return [
        f"credit: farmer-li shared its production record with coop-bank: {farm}",
        f"credit: coop-bank decision dec-coop-li-0001: {data['outcome']}, score "
        f"{data['score']}, PD {data['pd']}, limit {data['limit_fen']} fen",
    ]
