"""SDK for order financing (``Client.orders``): every command signed here, on the client.

with Client(url, maker, token=maker_token) as api:
    api.orders.open("o-1", document_id="po-1", amount=100_000_000, delivery_due=date(2026, 4, 1))
with Client(url, core, token=core_token) as api:
    api.orders.confirm("o-1", amount=100_000_000, delivery_due=date(2026, 4, 1))
with Client(url, maker, token=maker_token) as api:
    api.orders.request_financing("of-1", "o-1", bank="coop-bank", product_id="order-90d",
                                 annual_rate_max="0.05", plan=[plan_line("cai", 70_000_000)])
with Client(url, bank, token=bank_token) as api:
    api.orders.trail("o-1")           # the trade's authenticity, before deciding
    api.orders.finance("of-1", "0.0435")
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from puhui.client import Client


def plan_line(supplier: str, amount: int) -> dict[str, Any]:
    """One line of a financing plan: ``amount`` fen for input supplier ``supplier``."""
    return {"supplier": supplier, "amount": amount}


class OrdersClient:
    """Order calls of one ``Client``; writes are signed with the client's identity."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def _submit(self, ctype: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
        return self._client.submit(ctype, payload, idempotency_key=key)

    def open(
        self, order_id: str, *, document_id: str, amount: int, delivery_due: date
    ) -> dict[str, Any]:
        """Open an order on a purchase order you registered (seller)."""
        payload = {
            "order_id": order_id,
            "document_id": document_id,
            "amount": amount,
            "delivery_due": delivery_due.isoformat(),
        }
        return self._submit("order.open", payload, f"order-open-{order_id}")

    def confirm(self, order_id: str, *, amount: int, delivery_due: date) -> dict[str, Any]:
        """Countersign an order, restating its terms (buyer)."""
        payload = {"order_id": order_id, "amount": amount, "delivery_due": delivery_due.isoformat()}
        return self._submit("order.confirm", payload, f"order-confirm-{order_id}")

    def request_financing(
        self,
        financing_id: str,
        order_id: str,
        *,
        bank: str,
        product_id: str,
        annual_rate_max: str,
        plan: list[dict[str, Any]],
        term_periods: int = 1,
    ) -> dict[str, Any]:
        """Ask ``bank`` for a loan of the plan's total, paid to the plan's suppliers (seller)."""
        payload = {
            "financing_id": financing_id,
            "order_id": order_id,
            "bank": bank,
            "product_id": product_id,
            "amount": sum(int(line["amount"]) for line in plan),
            "term_periods": term_periods,
            "annual_rate_max": annual_rate_max,
            "plan": plan,
        }
        return self._submit("order.request_financing", payload, f"order-req-{financing_id}")

    def finance(self, financing_id: str, annual_rate: str, *, note: str = "") -> dict[str, Any]:
        """Fund a request: lien the purchase order and contract the loan (bank)."""
        payload = {"financing_id": financing_id, "annual_rate": annual_rate, "note": note}
        return self._submit("order.finance", payload, f"order-fund-{financing_id}")

    def decline_financing(self, financing_id: str, reason: str) -> dict[str, Any]:
        payload = {"financing_id": financing_id, "reason": reason}
        return self._submit("order.decline_financing", payload, f"order-decl-{financing_id}")

    def draw(self, order_id: str, tranche_id: str, *, supplier: str, amount: int) -> dict[str, Any]:
        """A tranche of the order's loan, paid straight to a supplier of the plan (seller)."""
        payload = {
            "order_id": order_id,
            "tranche_id": tranche_id,
            "supplier": supplier,
            "amount": amount,
        }
        return self._submit("order.draw", payload, f"order-draw-{order_id}-{tranche_id}")

    def pay(
        self,
        order_id: str,
        payment_id: str,
        *,
        amount: int,
        delivery_ids: list[str],
        invoice_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """Pay the order in full against confirmed deliveries: the lender first (buyer)."""
        payload = {
            "order_id": order_id,
            "payment_id": payment_id,
            "amount": amount,
            "delivery_ids": delivery_ids,
            "invoice_ids": invoice_ids or [],
        }
        return self._submit("order.pay", payload, f"order-pay-{payment_id}")

    def set_policy(self, advance_bp_max: int) -> dict[str, Any]:
        payload = {"advance_bp_max": advance_bp_max}
        return self._submit("order.set_policy", payload, f"order-policy-{advance_bp_max}")

    def get(self, order_id: str) -> dict[str, Any]:
        return self._client.get(f"/orders/{order_id}")  # type: ignore[no-any-return]

    def list(self, **page: Any) -> dict[str, Any]:
        return self._client.get("/orders", **page)  # type: ignore[no-any-return]

    def payment_quote(self, order_id: str) -> dict[str, Any]:
        """How the buyer's payment would be split today: the lender first, the seller the rest."""
        return self._client.get(f"/orders/{order_id}/payment-quote")  # type: ignore[no-any-return]

    def trail(self, order_id: str) -> dict[str, Any]:
        return self._client.get(f"/orders/{order_id}/trail")  # type: ignore[no-any-return]

    def portfolio(self, bank: str | None = None, **page: Any) -> dict[str, Any]:
        params = page | ({"bank": bank} if bank else {})
        return self._client.get("/orders/portfolio", **params)  # type: ignore[no-any-return]

    def policy(self) -> dict[str, Any]:
        return self._client.get("/orders/policy")  # type: ignore[no-any-return]
