"""Test data for the documents context: parties with valid USCCs, bodies of each kind, and
registration through the real intake (validation, submit, off-log store)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.client_documents import sign_registration
from puhui.documents import intake
from puhui.documents.content import Attachment, Package
from puhui.documents.tables import document_contents
from puhui.kernel.digest import state_digest
from puhui.kernel.log import tree_head
from puhui.kernel.service import Receipt
from tests.conftest import START, register

SELLER_USCC = "91350100MA2Y0000X8"
BUYER_USCC = "91350101MA2Y0001XP"
BANK_A_USCC = "91350102MA2Y0002X7"
BANK_B_USCC = "91350103MA2Y0003XN"
TAX_USCC = "91350104MA2Y0004X6"
WAREHOUSE_USCC = "91350105MA2Y0005XM"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def trade_parties(platform: Platform, operator: Identity) -> dict[str, Identity]:
    """A seller, its buyer, two banks, a tax bureau, a warehouse and a regulator."""
    specs = [
        ("seller", ["sme"], SELLER_USCC),
        ("buyer", ["core_enterprise"], BUYER_USCC),
        ("bank-a", ["bank"], BANK_A_USCC),
        ("bank-b", ["bank"], BANK_B_USCC),
        ("tax-bureau", ["tax_authority"], TAX_USCC),
        ("warehouse", ["warehouse"], WAREHOUSE_USCC),
    ]
    found = {
        pid: register(platform, operator, pid, roles, "organisation", uscc)
        for pid, roles, uscc in specs
    }
    found["regulator"] = register(platform, operator, "regulator", ["regulator"])
    return found


def invoice(**changes: Any) -> dict[str, Any]:
    body = {
        "code": "3500221130",
        "number": "04812345",
        "seller_uscc": SELLER_USCC,
        "buyer_uscc": BUYER_USCC,
        "amount_before_tax": 1_000_000,
        "tax": 130_000,
        "issued_on": "2026-03-01",
        "check_code": "12345678901234567890",
    }
    return body | changes


def tax_filing(**changes: Any) -> dict[str, Any]:
    body = {
        "taxpayer_uscc": SELLER_USCC,
        "tax_authority_uscc": TAX_USCC,
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "filed_on": "2026-02-10",
        "revenue": 50_000_000,
        "vat_paid": 650_000,
        "income_tax_paid": 120_000,
    }
    return body | changes


def contract(**changes: Any) -> dict[str, Any]:
    body = {
        "contract_no": "HT-2026-001",
        "seller_uscc": SELLER_USCC,
        "buyer_uscc": BUYER_USCC,
        "goods": "broiler feed, 40 t",
        "amount": 16_000_000,
        "payment_terms": "60 days after delivery",
        "payment_due_days": 60,
        "signed_on": "2026-02-01",
        "effective_until": "2026-12-31",
    }
    return body | changes


def register_document(
    platform: Platform,
    owner: Identity,
    document_id: str,
    kind: str,
    body: dict[str, Any],
    *,
    counterparty: str | None = None,
    file: Attachment | None = None,
) -> tuple[Package, Receipt]:
    signed, package = sign_registration(
        owner, document_id, kind, body, START, counterparty=counterparty, file=file
    )
    receipt = intake.register(platform.engine, platform.kernel.submit, signed, package, NOW)
    return package, receipt


def snapshot(platform: Platform) -> tuple[int, str, int]:
    """(log size, state digest, stored contents): what a refused command must leave unchanged."""
    with platform.engine.connect() as conn:
        contents = conn.execute(select(func.count()).select_from(document_contents)).scalar_one()
        return tree_head(conn).size, state_digest(conn), int(contents)
