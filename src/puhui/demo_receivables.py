"""The receivables part of the demo: Cai Shirong's supply chain (seed 002).

A bakery chain (the core enterprise) buys deck ovens from its tier-1 equipment maker; it
confirms the delivery and the invoice and issues a digital receivable of RMB 1,000,000 to the
maker, locking the invoice. The maker passes RMB 300,000 to Cai Shirong's shop (tier 2, the oven
control computers), who passes RMB 100,000 to her parts supplier (tier 3). Chengdu SME
Financing Guarantee guarantees the whole receivable for a fee the core enterprise pays. Cai
Shirong sells the RMB 200,000 she kept to the cooperative bank, with recourse, and names her
parts supplier as payee: the bank pays it directly for her next stock. Splitting more than she
holds is refused. The receivable matures on the third day; at that close the core
enterprise's one payment reaches every holder (the maker, the parts supplier and the bank).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.client_documents import sign_registration
from puhui.documents import intake
from puhui.finance.receivables import views
from puhui.kernel.errors import PuhuiError
from puhui.kernel.service import utc_now

RECEIVABLE = "rcv-bakery-0001"
USCC = {
    "bakery-core": "91510100MA61RC010J",
    "oven-maker": "91510107MA62RC020B",
    "cai-shirong": "91510104MA63RC030K",
    "parts-maker": "91510108MA64RC0401",
}
FACE = 100_000_000
MATURITY_DAYS = 2
CHARTS = (
    ("bakery-core", "core_enterprise"),
    ("oven-maker", "supplier"),
    ("cai-shirong", "sme"),
    ("parts-maker", "supplier"),
    ("sme-guarantee", "guarantor"),
)


def _contract(seller: str, buyer: str, number: str, goods: str) -> dict[str, Any]:
    return {
        "contract_no": number,
        "seller_uscc": USCC[seller],
        "buyer_uscc": USCC[buyer],
        "goods": goods,
        "amount": FACE,
        "payment_terms": "digital receivable at maturity",
        "payment_due_days": 90,
        "signed_on": "2026-01-15",
        "effective_until": "2026-12-31",
    }


DOCUMENTS = (
    (
        "oven-maker",
        "bakery-core",
        "ct-oven-2026",
        "contract",
        _contract("oven-maker", "bakery-core", "CT-OVEN-2026", "12 deck ovens and spiral mixers"),
    ),
    (
        "oven-maker",
        "bakery-core",
        "dn-oven-0001",
        "delivery_note",
        {
            "note_no": "DN-OVEN-0001",
            "supplier_uscc": USCC["oven-maker"],
            "buyer_uscc": USCC["bakery-core"],
            "order_no": "PO-OVEN-2026",
            "goods": "12 deck ovens and spiral mixers",
            "quantity": 12,
            "unit": "set",
            "shipped_on": "2026-02-20",
            "received_on": "2026-02-25",
        },
    ),
    (
        "oven-maker",
        "bakery-core",
        "inv-oven-0001",
        "e_invoice",
        {
            "code": "5100261130",
            "number": "00088001",
            "seller_uscc": USCC["oven-maker"],
            "buyer_uscc": USCC["bakery-core"],
            "amount_before_tax": 88_495_575,
            "tax": 11_504_425,
            "issued_on": "2026-02-26",
            "check_code": "51002611300008800101",
        },
    ),
    (
        "cai-shirong",
        "oven-maker",
        "ct-ctrl-2026",
        "contract",
        _contract("cai-shirong", "oven-maker", "CT-CTRL-2026", "oven control computers"),
    ),
    (
        "parts-maker",
        "cai-shirong",
        "ct-parts-2026",
        "contract",
        _contract("parts-maker", "cai-shirong", "CT-PARTS-2026", "boards and touch panels"),
    ),
)


def load(platform: Platform, ids: dict[str, Identity], day: date) -> list[str]:
    """Run the story up to the bank's discount, dated ``day``; maturity is two days later."""
    kernel = platform.kernel

    def submit(who: str, ctype: str, payload: dict[str, Any], key: str) -> Any:
        return kernel.submit(ids[who].sign(ctype, payload, day, f"demo-rcv-{key}"))

    for party_id, role in CHARTS:
        submit(party_id, "accounts.open_chart", {"party_id": party_id, "role": role}, party_id)
    _fund(submit, "bakery-core", 150_000_000, "CNAPS-20260302-0101")
    _fund(submit, "sme-guarantee", 50_000_000, "CNAPS-20260302-0102")
    for owner, counterparty, doc_id, kind, body in DOCUMENTS:
        signed, package = sign_registration(
            ids[owner], doc_id, kind, body, day, counterparty=counterparty
        )
        intake.register(platform.engine, kernel.submit, signed, package, utc_now())
        submit(counterparty, "document.confirm", {"document_id": doc_id}, f"confirm-{doc_id}")
    maturity = day + timedelta(days=MATURITY_DAYS)
    submit(
        "bakery-core",
        "receivable.issue",
        {
            "receivable_id": RECEIVABLE,
            "supplier": "oven-maker",
            "amount": FACE,
            "maturity_date": maturity.isoformat(),
            "contract_id": "ct-oven-2026",
            "delivery_ids": ["dn-oven-0001"],
            "invoices": [{"document_id": "inv-oven-0001", "amount": FACE}],
        },
        "issue",
    )
    submit("oven-maker", "receivable.accept", {"receivable_id": RECEIVABLE}, "accept")
    submit(
        "oven-maker",
        "receivable.transfer",
        {
            "piece_id": RECEIVABLE,
            "remainder_piece_id": "rcv-bakery-0001.oven",
            "parts": [
                {
                    "piece_id": "rcv-bakery-0001.cai",
                    "to": "cai-shirong",
                    "amount": 30_000_000,
                    "contract_id": "ct-ctrl-2026",
                }
            ],
        },
        "split-1",
    )
    lines = [_refused_split(submit)]
    submit(
        "cai-shirong",
        "receivable.transfer",
        {
            "piece_id": "rcv-bakery-0001.cai",
            "remainder_piece_id": "rcv-bakery-0001.cai.kept",
            "parts": [
                {
                    "piece_id": "rcv-bakery-0001.cai.parts",
                    "to": "parts-maker",
                    "amount": 10_000_000,
                    "contract_id": "ct-parts-2026",
                }
            ],
        },
        "split-2",
    )
    submit(
        "sme-guarantee",
        "receivable.offer_guarantee",
        {
            "guarantee_id": "grt-bakery-0001",
            "piece_id": RECEIVABLE,
            "fee": 300_000,
            "fee_payer": "bakery-core",
        },
        "guarantee",
    )
    submit(
        "bakery-core",
        "receivable.accept_guarantee",
        {"guarantee_id": "grt-bakery-0001"},
        "guarantee-accept",
    )
    submit(
        "cai-shirong",
        "receivable.request_financing",
        {
            "financing_id": "fin-cai-0001",
            "piece_id": "rcv-bakery-0001.cai.kept",
            "bank": "coop-bank",
            "recourse": True,
            "payee": "parts-maker",
        },
        "request",
    )
    receipt = submit(
        "coop-bank",
        "receivable.finance",
        {
            "financing_id": "fin-cai-0001",
            "annual_rate": "0.0385",
            "note": "core enterprise confirmed; guaranteed by Chengdu SME Financing Guarantee",
        },
        "finance",
    )
    financed = next(e for e in receipt.events if e.type == "receivable.financed").data
    with platform.engine.connect() as conn:
        traced = views.trace(conn, "rcv-bakery-0001.cai.parts")
    lines.append(
        f"receivable {RECEIVABLE} of RMB 1,000,000.00 confirmed by bakery-core, matures "
        f"{maturity}; trace of the tier-3 piece: {' -> '.join(traced.holders)}"
    )
    lines.append(
        f"coop-bank discounted Cai Shirong's piece of RMB 200,000.00 at 3.85% for "
        f"{financed['days']} days (discount {financed['discount']} fen) and paid "
        f"{financed['price']} fen to her named payee parts-maker"
    )
    return lines


def _fund(submit: Any, party_id: str, amount: int, external_ref: str) -> None:
    """Money arrives by bank transfer, confirmed by the operator."""
    item = {
        "id": f"demo-rcv-dep-{party_id}",
        "debit": "operator:bank_clearing:cny",
        "credit": f"{party_id}:cash:cny",
        "amount": amount,
        "rail": "bank_transfer",
        "external_ref": external_ref,
    }
    submit("operator", "accounts.transfer", {"transfers": [item]}, f"dep-{party_id}")
    post = {"id": f"demo-rcv-dep-{party_id}-ok", "post": item["id"]}
    submit("operator", "accounts.transfer", {"transfers": [post]}, f"dep-{party_id}-ok")


def _refused_split(submit: Any) -> str:
    try:
        submit(
            "cai-shirong",
            "receivable.transfer",
            {
                "piece_id": "rcv-bakery-0001.cai",
                "parts": [
                    {
                        "piece_id": "rcv-bakery-0001.cai.x",
                        "to": "parts-maker",
                        "amount": 30_000_001,
                        "contract_id": "ct-parts-2026",
                    }
                ],
            },
            "split-over",
        )
    except PuhuiError as exc:
        return f"splitting more than held refused: {exc.detail}"
    return "splitting more than held NOT refused"


def after_maturity(platform: Platform) -> list[str]:
    """What the close of the maturity date did."""
    with platform.engine.connect() as conn:
        r = views.get_receivable(conn, RECEIVABLE)
        paid = views.graph(conn, RECEIVABLE)["nodes"]
    holders = sorted({n["holder"] for n in paid if n["status"] == "paid"})
    return [f"at maturity {r.receivable_id} is {r.status}: paid to {', '.join(holders)}"]


SECOND = "rcv-bakery-0002"
SECOND_FACE = 60_000_000
SECOND_MATURITY_DAYS = 90


def _second_documents(day: date) -> tuple[tuple[str, str, str, str, dict[str, Any]], ...]:
    shipped, received = day - timedelta(days=6), day - timedelta(days=3)
    return (
        (
            "oven-maker",
            "bakery-core",
            "dn-oven-0002",
            "delivery_note",
            {
                "note_no": "DN-OVEN-0002",
                "supplier_uscc": USCC["oven-maker"],
                "buyer_uscc": USCC["bakery-core"],
                "order_no": "PO-OVEN-2026",
                "goods": "6 proofing cabinets",
                "quantity": 6,
                "unit": "set",
                "shipped_on": shipped.isoformat(),
                "received_on": received.isoformat(),
            },
        ),
        (
            "oven-maker",
            "bakery-core",
            "inv-oven-0002",
            "e_invoice",
            {
                "code": "5100261130",
                "number": "00088002",
                "seller_uscc": USCC["oven-maker"],
                "buyer_uscc": USCC["bakery-core"],
                "amount_before_tax": 53_097_345,
                "tax": 6_902_655,
                "issued_on": received.isoformat(),
                "check_code": "51002611300008800201",
            },
        ),
    )


def second_order(platform: Platform, ids: dict[str, Identity], day: date) -> list[str]:
    """A second receivable left open for the console, dated ``day``: the bakery chain confirms
    RMB 600,000 for proofing cabinets at 90 days; the maker passes RMB 200,000 to Cai Shirong
    (who may split it on to her parts supplier or offer it to a bank) and offers the RMB 400,000
    it kept to the cooperative bank without recourse (the bank prices and funds it)."""
    kernel = platform.kernel

    def submit(who: str, ctype: str, payload: dict[str, Any], key: str) -> Any:
        return kernel.submit(ids[who].sign(ctype, payload, day, f"demo-rcv2-{key}"))

    for owner, counterparty, doc_id, kind, body in _second_documents(day):
        signed, package = sign_registration(
            ids[owner], doc_id, kind, body, day, counterparty=counterparty
        )
        intake.register(platform.engine, kernel.submit, signed, package, utc_now())
        submit(counterparty, "document.confirm", {"document_id": doc_id}, f"confirm-{doc_id}")
    maturity = day + timedelta(days=SECOND_MATURITY_DAYS)
    submit(
        "bakery-core",
        "receivable.issue",
        {
            "receivable_id": SECOND,
            "supplier": "oven-maker",
            "amount": SECOND_FACE,
            "maturity_date": maturity.isoformat(),
            "contract_id": "ct-oven-2026",
            "delivery_ids": ["dn-oven-0002"],
            "invoices": [{"document_id": "inv-oven-0002", "amount": SECOND_FACE}],
        },
        "issue",
    )
    submit("oven-maker", "receivable.accept", {"receivable_id": SECOND}, "accept")
    cai, kept = f"{SECOND}.cai", f"{SECOND}.oven"
    submit(
        "oven-maker",
        "receivable.transfer",
        {
            "piece_id": SECOND,
            "remainder_piece_id": kept,
            "parts": [
                {
                    "piece_id": cai,
                    "to": "cai-shirong",
                    "amount": 20_000_000,
                    "contract_id": "ct-ctrl-2026",
                }
            ],
        },
        "split",
    )
    submit(
        "oven-maker",
        "receivable.request_financing",
        {"financing_id": "fin-oven-0002", "piece_id": kept, "bank": "coop-bank", "recourse": False},
        "request",
    )
    return [
        f"receivable {SECOND} of RMB 600,000.00 open until {maturity}: Cai Shirong holds "
        f"RMB 200,000.00 of it; the maker offers the RMB 400,000.00 it kept to coop-bank"
    ]
