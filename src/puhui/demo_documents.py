"""The documents part of the demo: an invoice that cannot be forged or financed twice.

The feed supplier issues a fapiao to the core enterprise, which confirms it; the cooperative
bank finances it (a lien on its fingerprint). A forged copy with an inflated amount fails
verification, and a second bank presenting the same invoice written differently (full-width
digits, spaces) is refused, told only the existing lien's id and date. The supplier shares its
tax filing with the cooperative bank (recorded read); the city bank, without a grant, is refused
(also recorded). A delivery of feed to the core enterprise waits for its confirmation (done in
the console). The farmer registers a barn sensor and posts a batch of readings.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.client_documents import sign_registration
from puhui.documents import intake
from puhui.documents.content import Package, fingerprint_of
from puhui.kernel.errors import PuhuiError
from puhui.kernel.service import utc_now

SUPPLIER_USCC = "91320500MA1P2Q3R4J"
CORE_USCC = "91440300MA5F7X8Y97"
TAX_BUREAU_USCC = "11350100MB01382011"
INVOICE = {
    "code": "3500261130",
    "number": "00012345",
    "seller_uscc": SUPPLIER_USCC,
    "buyer_uscc": CORE_USCC,
    "amount_before_tax": 16_000_000,
    "tax": 2_080_000,
    "issued_on": "2026-03-01",
    "check_code": "73519046218830457712",
}
DELIVERY = {
    "note_no": "DN-20260302-07",
    "supplier_uscc": SUPPLIER_USCC,
    "buyer_uscc": CORE_USCC,
    "goods": "肉鸡配合饲料 broiler compound feed",
    "quantity": 40,
    "unit": "t",
    "shipped_on": "2026-03-02",
}
"""A delivery the core enterprise has not confirmed yet: its to-do in the console."""
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
READINGS_PER_BATCH = 240


def _save(directory: Path, name: str, package: Package) -> Path:
    path = directory / name
    path.write_text(json.dumps(package.to_json(), ensure_ascii=False, indent=2) + "\n")
    return path


def _register(
    platform: Platform,
    ident: Identity,
    doc_id: str,
    kind: str,
    body: dict[str, Any],
    day: date,
    counterparty: str | None = None,
) -> Package:
    signed, package = sign_registration(ident, doc_id, kind, body, day, counterparty=counterparty)
    intake.register(platform.engine, platform.kernel.submit, signed, package, utc_now())
    return package


def _tax_filing() -> dict[str, Any]:
    return {
        "taxpayer_uscc": SUPPLIER_USCC,
        "tax_authority_uscc": TAX_BUREAU_USCC,
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "filed_on": "2026-02-12",
        "revenue": 96_500_000,
        "vat_paid": 1_254_500,
        "income_tax_paid": 310_000,
    }


def load(platform: Platform, ids: dict[str, Identity], day: date, directory: Path) -> list[str]:
    """Run the story dated ``day``; return one line per thing worth showing."""
    kernel = platform.kernel
    directory.mkdir(parents=True, exist_ok=True)
    supplier, core = ids["feed-supplier"], ids["core-poultry"]
    invoice = _register(
        platform, supplier, "inv-2026-0001", "e_invoice", INVOICE, day, "core-poultry"
    )
    _save(directory, "inv-2026-0001.document.json", invoice)
    kernel.submit(
        core.sign("document.confirm", {"document_id": "inv-2026-0001"}, day, "demo-confirm")
    )
    fp = fingerprint_of("e_invoice", INVOICE)
    lien = {
        "lien_id": "lien-coop-0001",
        "fingerprint": fp,
        "kind": "e_invoice",
        "grantor": "feed-supplier",
        "document_id": "inv-2026-0001",
    }
    kernel.submit(ids["coop-bank"].sign("lien.register", lien, day, "demo-lien-coop"))
    lines = []
    forged = Package(
        invoice.document_id, "e_invoice", INVOICE | {"amount_before_tax": 61_000_000}, invoice.salt
    )
    path = _save(directory, "inv-2026-0001.forged.json", forged)
    with platform.engine.connect() as conn:
        verdict = intake.verify(conn, forged)
    lines.append(f"forged invoice caught ({path}): {verdict.verdict.upper()}: {verdict.reason}")
    respelled = INVOICE | {"number": "0001 2345".translate(FULL_WIDTH)}
    second = {
        "lien_id": "lien-city-0001",
        "fingerprint": fingerprint_of("e_invoice", respelled),
        "kind": "e_invoice",
        "grantor": "feed-supplier",
    }
    try:
        kernel.submit(ids["city-bank"].sign("lien.register", second, day, "demo-lien-city"))
        lines.append("second financing NOT refused")
    except PuhuiError as exc:
        lines.append(f"second bank refused: {exc.detail}")
    _register(platform, supplier, "dn-2026-0302", "delivery_note", DELIVERY, day, "core-poultry")
    _register(platform, supplier, "tax-2026-01", "tax_filing", _tax_filing(), day, "tax-bureau")
    kernel.submit(
        ids["tax-bureau"].sign(
            "document.confirm", {"document_id": "tax-2026-01"}, day, "demo-tax-confirm"
        )
    )
    grant = {
        "grant_id": "grant-coop-tax",
        "grantee": "coop-bank",
        "purpose": "credit_assessment",
        "valid_until": (day + timedelta(days=90)).isoformat(),
        "kind": "tax_filing",
    }
    kernel.submit(supplier.sign("consent.grant", grant, day, "demo-grant"))
    for reader in ("coop-bank", "city-bank"):
        signed = ids[reader].sign(
            "document.read",
            {"document_id": "tax-2026-01", "purpose": "credit_assessment"},
            day,
            f"demo-read-{reader}",
        )
        try:
            result = intake.read(platform.engine, kernel.submit, signed)
            lines.append(f"{reader} read tax-2026-01 (recorded at entry {result.receipt.seq})")
        except PuhuiError as exc:
            lines.append(f"{reader} refused: {exc.detail}")
    farmer = ids["farmer-li"]
    kernel.submit(
        farmer.sign(
            "iot.register_device",
            {"device_id": "barn-1", "name": "Broiler barn 1 scale and thermometer"},
            day,
            "demo-device",
        )
    )
    start_ms = 1_772_409_600_000  # 2026-03-02T00:00:00Z
    readings = [
        [
            start_ms + i * 60_000,
            "temp_mc" if i % 2 else "weight_g",
            24_000 + i if i % 2 else 1_850 + i,
        ]
        for i in range(READINGS_PER_BATCH)
    ]
    batch = {
        "device_id": "barn-1",
        "window_start_ms": start_ms,
        "window_end_ms": start_ms + 86_400_000 - 1,
        "readings": readings,
    }
    _register(platform, farmer, "barn-1:2026-03-02", "iot_batch", batch, day)
    return lines
