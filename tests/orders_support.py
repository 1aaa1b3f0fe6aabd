"""A trade for order-financing tests, on the receivables' supply chain: the oven maker (seller)
sells RMB 1,000,000 of ovens to the bakery chain (buyer) under a purchase order; Cai Shirong's
shop and the parts maker are the maker's input suppliers; the bank lends on orders with a
90-day bullet product."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from puhui.client_documents import sign_registration
from puhui.documents import intake
from puhui.finance.orders import views
from puhui.kernel.service import utc_now
from tests.conftest import START, register
from tests.receivables_support import USCC, Chain, make_chain

ORDER_AMOUNT = 100_000_000
DELIVERY_DUE = START + timedelta(days=20)
PRODUCT: dict[str, Any] = {
    "product_id": "order-90d",
    "name": "Order financing, repaid from the buyer's payment",
    "amortisation": "bullet",
    "period_months": 0,
    "period_days": 90,
    "term_periods_min": 1,
    "term_periods_max": 1,
    "amount_min": 10_000,
    "amount_max": 10**10,
    "annual_rate_max": "0.2",
    "rate_cap": "0.24",
    "penalty_rate": "0.0653",
}
PLAN = [{"supplier": "cai", "amount": 40_000_000}, {"supplier": "parts", "amount": 30_000_000}]
"""RMB 700,000 (70% of the order) to the maker's two input suppliers."""


class Trade(Chain):
    def register(self, owner: str, counterparty: str, doc_id: str, kind: str, body: Any) -> None:
        """Register a document dated today (the chain's helper dates everything START)."""
        signed, package = sign_registration(
            self.who(owner), doc_id, kind, body, self.today(), counterparty=counterparty
        )
        intake.register(
            self.platform.engine, self.platform.kernel.submit, signed, package, utc_now()
        )

    def order(self, order_id: str = "o-1") -> views.Order:
        with self.platform.engine.connect() as conn:
            return views.get_order(conn, order_id)

    def financing(self, financing_id: str = "of-1") -> views.Financing:
        with self.platform.engine.connect() as conn:
            return views.get_financing(conn, financing_id)

    def open_and_confirm(self, order_id: str = "o-1", doc_id: str = "po-1") -> None:
        self.submit("maker", "order.open", open_payload(order_id, doc_id))
        self.submit("core", "order.confirm", confirm_payload(order_id))

    def fund(self, order_id: str = "o-1", financing_id: str = "of-1", **changes: Any) -> None:
        self.submit(
            "maker", "order.request_financing", request_payload(order_id, financing_id, **changes)
        )
        self.submit(
            "bank", "order.finance", {"financing_id": financing_id, "annual_rate": "0.0435"}
        )


def purchase_order(
    number: str, amount: int = ORDER_AMOUNT, due: date = DELIVERY_DUE
) -> dict[str, Any]:
    return {
        "order_no": number,
        "buyer_uscc": USCC["core"],
        "seller_uscc": USCC["maker"],
        "goods": "24 deck ovens",
        "quantity": 24,
        "unit": "set",
        "amount": amount,
        "ordered_on": START.isoformat(),
        "delivery_due": due.isoformat(),
    }


def delivery_note(number: str, order_no: str = "PO-1") -> dict[str, Any]:
    return {
        "note_no": number,
        "supplier_uscc": USCC["maker"],
        "buyer_uscc": USCC["core"],
        "order_no": order_no,
        "goods": "24 deck ovens",
        "quantity": 24,
        "unit": "set",
        "shipped_on": START.isoformat(),
    }


def order_invoice(number: str) -> dict[str, Any]:
    return {
        "code": "5100261130",
        "number": number,
        "seller_uscc": USCC["maker"],
        "buyer_uscc": USCC["core"],
        "amount_before_tax": 88_495_575,
        "tax": 11_504_425,
        "issued_on": START.isoformat(),
        "check_code": "51002611300000000002",
    }


def open_payload(order_id: str = "o-1", doc_id: str = "po-1", **changes: Any) -> dict[str, Any]:
    body = {
        "order_id": order_id,
        "document_id": doc_id,
        "amount": ORDER_AMOUNT,
        "delivery_due": DELIVERY_DUE.isoformat(),
    }
    return body | changes


def confirm_payload(order_id: str = "o-1", **changes: Any) -> dict[str, Any]:
    body = {"order_id": order_id, "amount": ORDER_AMOUNT, "delivery_due": DELIVERY_DUE.isoformat()}
    return body | changes


def request_payload(
    order_id: str = "o-1", financing_id: str = "of-1", **changes: Any
) -> dict[str, Any]:
    body = {
        "financing_id": financing_id,
        "order_id": order_id,
        "bank": "bank",
        "product_id": PRODUCT["product_id"],
        "amount": sum(line["amount"] for line in PLAN),
        "annual_rate_max": "0.05",
        "plan": PLAN,
    }
    return body | changes


def pay_payload(order_id: str = "o-1", **changes: Any) -> dict[str, Any]:
    body = {
        "order_id": order_id,
        "payment_id": f"pay-{order_id}",
        "amount": ORDER_AMOUNT,
        "delivery_ids": ["dn-po-1"],
        "invoice_ids": ["inv-po-1"],
    }
    return body | changes


def make_trade(platform: Any, operator: Any) -> Trade:
    """The chain, a second bank, the bank's order product, and purchase order po-1 registered
    by the maker (not yet countersigned)."""
    chain = make_chain(platform, operator)
    trade = Trade(chain.ledger)
    ident = register(platform, operator, "bank2", ["bank"])
    trade.ledger.parties["bank2"] = ident
    trade.submit("bank2", "accounts.open_chart", {"party_id": "bank2", "role": "bank"})
    trade.ledger.deposit("core", 2 * ORDER_AMOUNT, "core-orders")
    trade.submit("bank", "lending.define_product", PRODUCT)
    trade.register("maker", "core", "po-1", "purchase_order", purchase_order("PO-1"))
    return trade
