"""SDK for receivables (``Client.receivables``): every command signed here, on the client.

with Client(url, core, token=token) as api:
    api.receivables.issue("rcv-1", supplier="maker", amount=100_000_000,
                          contract_id="ct-1", delivery_ids=["dn-1"],
                          invoices=[{"document_id": "inv-1", "amount": 100_000_000}])
with Client(url, maker, token=maker_token) as api:
    api.receivables.accept("rcv-1")
    api.receivables.transfer("rcv-1", [part("p-1", "cai", 30_000_000, "ct-2")], "p-2")
    api.receivables.trace("p-1")      # {"holders": ["maker", "cai"], "path": [...]}
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from puhui.client import Client


def part(piece_id: str, to: str, amount: int, contract_id: str) -> dict[str, Any]:
    """One part of a transfer: ``amount`` fen to supplier ``to`` under ``contract_id``."""
    return {"piece_id": piece_id, "to": to, "amount": amount, "contract_id": contract_id}


class ReceivablesClient:
    """Receivable calls of one ``Client``; writes are signed with the client's identity."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def _submit(self, ctype: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
        return self._client.submit(ctype, payload, idempotency_key=key)

    def issue(
        self,
        receivable_id: str,
        *,
        supplier: str,
        amount: int,
        contract_id: str,
        delivery_ids: list[str],
        invoices: list[dict[str, Any]],
        maturity_date: date | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "receivable_id": receivable_id,
            "supplier": supplier,
            "amount": amount,
            "contract_id": contract_id,
            "delivery_ids": delivery_ids,
            "invoices": invoices,
        }
        if maturity_date is not None:
            payload["maturity_date"] = maturity_date.isoformat()
        body = self._client._signed("receivable.issue", payload, f"rcv-issue-{receivable_id}")
        return self._client.post("/receivables", body)  # type: ignore[no-any-return]

    def accept(self, receivable_id: str) -> dict[str, Any]:
        payload = {"receivable_id": receivable_id}
        return self._submit("receivable.accept", payload, f"rcv-accept-{receivable_id}")

    def reject(self, receivable_id: str) -> dict[str, Any]:
        payload = {"receivable_id": receivable_id}
        return self._submit("receivable.reject", payload, f"rcv-reject-{receivable_id}")

    def transfer(
        self, piece_id: str, parts: list[dict[str, Any]], remainder_piece_id: str | None = None
    ) -> dict[str, Any]:
        """Pass ``parts`` of a piece (see ``part``) to suppliers; keep the rest under an id."""
        payload = {"piece_id": piece_id, "parts": parts, "remainder_piece_id": remainder_piece_id}
        return self._submit("receivable.transfer", payload, f"rcv-transfer-{piece_id}")

    def offer_guarantee(
        self, guarantee_id: str, piece_id: str, *, fee: int, fee_payer: str
    ) -> dict[str, Any]:
        payload = {
            "guarantee_id": guarantee_id,
            "piece_id": piece_id,
            "fee": fee,
            "fee_payer": fee_payer,
        }
        return self._submit("receivable.offer_guarantee", payload, f"rcv-offer-{guarantee_id}")

    def accept_guarantee(self, guarantee_id: str) -> dict[str, Any]:
        payload = {"guarantee_id": guarantee_id}
        return self._submit("receivable.accept_guarantee", payload, f"rcv-guar-{guarantee_id}")

    def request_financing(
        self,
        financing_id: str,
        piece_id: str,
        *,
        bank: str,
        recourse: bool,
        payee: str | None = None,
    ) -> dict[str, Any]:
        payload = {
            "financing_id": financing_id,
            "piece_id": piece_id,
            "bank": bank,
            "recourse": recourse,
            "payee": payee,
        }
        return self._submit("receivable.request_financing", payload, f"rcv-req-{financing_id}")

    def finance(
        self, financing_id: str, annual_rate: str, *, day_count: str = "ACT/360", note: str = ""
    ) -> dict[str, Any]:
        payload = {
            "financing_id": financing_id,
            "annual_rate": annual_rate,
            "day_count": day_count,
            "note": note,
        }
        return self._submit("receivable.finance", payload, f"rcv-fund-{financing_id}")

    def decline_financing(self, financing_id: str, reason: str) -> dict[str, Any]:
        payload = {"financing_id": financing_id, "reason": reason}
        return self._submit("receivable.decline_financing", payload, f"rcv-decl-{financing_id}")

    def get(self, receivable_id: str) -> dict[str, Any]:
        return self._client.get(f"/receivables/{receivable_id}")  # type: ignore[no-any-return]

    def list(self, **page: Any) -> dict[str, Any]:
        return self._client.get("/receivables", **page)  # type: ignore[no-any-return]

    def trace(self, piece_id: str) -> dict[str, Any]:
        return self._client.get(f"/receivables/pieces/{piece_id}/trace")  # type: ignore[no-any-return]

    def graph(self, receivable_id: str, **page: Any) -> dict[str, Any]:
        return self._client.get(f"/receivables/{receivable_id}/graph", **page)  # type: ignore[no-any-return]

    def wallet(self, holder: str | None = None, **page: Any) -> dict[str, Any]:
        params = page | ({"holder": holder} if holder else {})
        return self._client.get("/receivables/wallet", **params)  # type: ignore[no-any-return]

    def payables(self, issuer: str | None = None) -> dict[str, Any]:
        params = {"issuer": issuer} if issuer else {}
        return self._client.get("/receivables/payables", **params)  # type: ignore[no-any-return]

    def portfolio(self, bank: str | None = None, **page: Any) -> dict[str, Any]:
        params = page | ({"bank": bank} if bank else {})
        return self._client.get("/receivables/portfolio", **params)  # type: ignore[no-any-return]

    def concentration(self, by: str = "issuer") -> dict[str, Any]:
        return self._client.get("/receivables/concentration", by=by)  # type: ignore[no-any-return]

    def quote(
        self, financing_id: str, annual_rate: str, day_count: str = "ACT/360"
    ) -> dict[str, Any]:
        """What funding the request at this rate would pay today; changes nothing."""
        path = f"/receivables/financings/{financing_id}/quote"
        return self._client.get(path, annual_rate=annual_rate, day_count=day_count)  # type: ignore[no-any-return]
