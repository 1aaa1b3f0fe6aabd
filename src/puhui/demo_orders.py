"""The order-financing part of the demo: penetrating payment on a trade order (seed 002:
Trusple's trade orders verified by banks, CITIC's penetrating payment).

The bakery chain orders eight more deck ovens from its equipment maker (RMB 400,000). The maker
registers the purchase order and opens the trade order; the bank it asks first is refused
while the buyer has not countersigned; the bakery chain countersigns the terms (which confirms
the purchase order in the same entry). The maker asks Fuzhou City Bank for 70% of the order to
produce it, paid to its own input suppliers — Cai Shirong's shop (control computers) and the
parts maker (boards). The bank reads the order's trail (both signatures, the purchase order's
commitment), funds it at 4.35% — the purchase order is liened, a second financing is refused —
and the maker draws the two tranches, each paid straight to the supplier; a tranche to anyone
else is refused. Weeks later, after the farm story, the ovens are delivered: the bakery chain
confirms the delivery note and pays the order; the bank is repaid first (principal and the
interest accrued), the maker gets the rest, and the lien is released.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from puhui.accounts import reports
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.client_documents import sign_registration
from puhui.documents import intake
from puhui.finance.orders import views
from puhui.kernel import clock
from puhui.kernel.errors import PuhuiError
from puhui.kernel.service import utc_now
from puhui.lending import views as lending

ORDER = "order-oven-0003"
FINANCING = "of-oven-0003"
BANK, SELLER, BUYER = "city-bank", "oven-maker", "bakery-core"
AMOUNT = 40_000_000
DELIVERY_DUE = date(2026, 4, 30)
USCC = {"bakery-core": "91510100MA61RC010J", "oven-maker": "91510107MA62RC020B"}
PLAN: list[dict[str, Any]] = [
    {"supplier": "cai-shirong", "amount": 16_000_000},
    {"supplier": "parts-maker", "amount": 12_000_000},
]
PRODUCT = {
    "product_id": "order-90d",
    "name": "订单融资 Order financing (repaid from the buyer's payment)",
    "amortisation": "bullet",
    "period_months": 0,
    "period_days": 90,
    "term_periods_min": 1,
    "term_periods_max": 1,
    "amount_min": 100_000,
    "amount_max": 10**10,
    "annual_rate_max": "0.15",
    "rate_cap": "0.24",
    "penalty_rate": "0.0653",
}


def _submitter(platform: Platform, ids: dict[str, Identity], day: date) -> Any:
    def submit(who: str, ctype: str, payload: dict[str, Any], key: str) -> Any:
        return platform.kernel.submit(ids[who].sign(ctype, payload, day, f"demo-order-{key}"))

    return submit


def _register(
    platform: Platform, ids: dict[str, Identity], day: date, doc_id: str, kind: str, body: Any
) -> None:
    signed, package = sign_registration(ids[SELLER], doc_id, kind, body, day, counterparty=BUYER)
    intake.register(platform.engine, platform.kernel.submit, signed, package, utc_now())


def _refused(submit: Any, who: str, ctype: str, payload: dict[str, Any], key: str) -> str:
    try:
        submit(who, ctype, payload, key)
    except PuhuiError as exc:
        return f"{exc.code}: {exc.detail}"
    return "NOT refused"


def load(platform: Platform, ids: dict[str, Identity], day: date) -> list[str]:
    """Up to the two tranches paid to the maker's suppliers, dated ``day``."""
    submit = _submitter(platform, ids, day)
    submit(BANK, "accounts.open_chart", {"party_id": BANK, "role": "bank"}, "chart")
    deposit = {
        "id": "demo-order-dep-bank",
        "debit": "operator:bank_clearing:cny",
        "credit": f"{BANK}:cash:cny",
        "amount": 100_000_000,
        "rail": "bank_transfer",
        "external_ref": "CNAPS-20260302-0201",
    }
    confirmed = {"id": "demo-order-dep-bank-ok", "post": deposit["id"]}
    submit("operator", "accounts.transfer", {"transfers": [deposit, confirmed]}, "deposit")
    submit(BANK, "lending.define_product", PRODUCT, "product")
    _register(
        platform,
        ids,
        day,
        "po-oven-0003",
        "purchase_order",
        {
            "order_no": "PO-OVEN-0003",
            "buyer_uscc": USCC[BUYER],
            "seller_uscc": USCC[SELLER],
            "goods": "8 deck ovens",
            "quantity": 8,
            "unit": "set",
            "amount": AMOUNT,
            "ordered_on": day.isoformat(),
            "delivery_due": DELIVERY_DUE.isoformat(),
        },
    )
    terms = {"amount": AMOUNT, "delivery_due": DELIVERY_DUE.isoformat()}
    submit(SELLER, "order.open", {"order_id": ORDER, "document_id": "po-oven-0003"} | terms, "open")
    request = {
        "financing_id": FINANCING,
        "order_id": ORDER,
        "bank": BANK,
        "product_id": PRODUCT["product_id"],
        "amount": sum(line["amount"] for line in PLAN),
        "annual_rate_max": "0.05",
        "plan": PLAN,
    }
    early = _refused(submit, SELLER, "order.request_financing", request, "request-early")
    submit(BUYER, "order.confirm", {"order_id": ORDER} | terms, "confirm")
    submit(SELLER, "order.request_financing", request, "request")
    with platform.engine.connect() as conn:
        trail = views.trail(conn, ORDER, bank=BANK)
    note = (
        f"order signed by {SELLER} (entry {trail['signatures']['seller']['seq']}) and "
        f"{BUYER} (entry {trail['signatures']['buyer']['seq']})"
    )
    funded = submit(
        BANK,
        "order.finance",
        {"financing_id": FINANCING, "annual_rate": "0.0435", "note": note},
        "finance",
    )
    lien = next(e for e in funded.events if e.type == "lien.registered").data
    again = _refused(
        submit, SELLER, "order.request_financing", request | {"financing_id": "of-oven-x"}, "again"
    )
    for line in PLAN:
        draw = {"order_id": ORDER, "tranche_id": f"t-{line['supplier']}"} | line
        submit(SELLER, "order.draw", draw, f"draw-{line['supplier']}")
    stray = {"order_id": ORDER, "tranche_id": "t-x", "supplier": "sme-guarantee", "amount": 1}
    off_plan = _refused(submit, SELLER, "order.draw", stray, "draw-stray")
    return [
        f"order {ORDER} (RMB 400,000.00): financing before the buyer signed refused: {early}",
        f"{BANK} funded 70% of {ORDER} at 4.35% after reading its trail ({note}); purchase "
        f"order liened ({lien['lien_id']}); again refused: {again}",
        "tranches paid straight to cai-shirong (RMB 160,000.00) and parts-maker "
        f"(RMB 120,000.00); to anyone else refused: {off_plan.split(':')[0]}",
    ]


def after_delivery(platform: Platform, ids: dict[str, Identity]) -> list[str]:
    """The ovens arrive; the bakery chain confirms the delivery and pays the order."""
    with platform.engine.connect() as conn:
        day = clock.business_date(conn)
    if day is None:
        raise RuntimeError("the business clock has not started")
    submit = _submitter(platform, ids, day)
    shipped = (day - timedelta(days=2)).isoformat()
    _register(
        platform,
        ids,
        day,
        "dn-oven-0003",
        "delivery_note",
        {
            "note_no": "DN-OVEN-0003",
            "supplier_uscc": USCC[SELLER],
            "buyer_uscc": USCC[BUYER],
            "order_no": "PO-OVEN-0003",
            "goods": "8 deck ovens",
            "quantity": 8,
            "unit": "set",
            "shipped_on": shipped,
            "received_on": day.isoformat(),
        },
    )
    _register(
        platform,
        ids,
        day,
        "inv-oven-0003",
        "e_invoice",
        {
            "code": "5100261130",
            "number": "00088003",
            "seller_uscc": USCC[SELLER],
            "buyer_uscc": USCC[BUYER],
            "amount_before_tax": 35_398_230,
            "tax": 4_601_770,
            "issued_on": day.isoformat(),
            "check_code": "51002611300008800301",
        },
    )
    submit(BUYER, "document.confirm", {"document_id": "dn-oven-0003"}, "confirm-delivery")
    with platform.engine.connect() as conn:
        quote = lending.settlement_quote(conn, FINANCING, day)["total"]
    paid = submit(
        BUYER,
        "order.pay",
        {
            "order_id": ORDER,
            "payment_id": "pay-oven-0003",
            "amount": AMOUNT,
            "delivery_ids": ["dn-oven-0003"],
            "invoice_ids": ["inv-oven-0003"],
        },
        "pay",
    )
    data = next(e for e in paid.events if e.type == "order.paid").data
    with platform.engine.connect() as conn:
        balanced = all(t.balanced for t in reports.trial_balance(conn))
        loan = lending.get_loan(conn, FINANCING).status
    return [
        f"{BUYER} paid {ORDER} on {day}: {data['to_lender']} fen to {BANK} first (the "
        f"settlement quote was {quote}), {data['to_seller']} fen to {SELLER}; loan {loan}, "
        f"lien released; trial balance zero: {balanced}"
    ]
