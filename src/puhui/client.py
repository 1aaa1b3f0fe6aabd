"""The Python SDK: sign commands on the client and talk to a puhui API.

    from puhui.client import Client, Identity
    me = Identity.from_key_file("coop-bank", "bank.key")
    with Client("http://127.0.0.1:8000", me, token="phk_...") as api:
        receipt = api.submit("party.rotate_key", {"party_id": "coop-bank", "new_public_key": ...})

The private key never leaves the caller: ``submit`` signs locally with ``Identity`` and sends
only the signed command. Network I/O goes through an ``httpx`` transport, so tests can plug in
the ASGI app directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from puhui.kernel import signing
from puhui.kernel.commands import Command, SignedCommand

if TYPE_CHECKING:
    from puhui.client_agri import AgriClient
    from puhui.client_credit import CreditClient
    from puhui.client_documents import DocumentsClient
    from puhui.client_orders import OrdersClient
    from puhui.client_receivables import ReceivablesClient

TIMEOUT_S_DEFAULT = 30.0


@dataclass(frozen=True)
class Identity:
    """A party and one of its private keys."""

    party_id: str
    key: Ed25519PrivateKey

    @classmethod
    def from_key_file(cls, party_id: str, path: Path | str) -> Identity:
        return cls(party_id, signing.read_private_key(Path(path)))

    @property
    def public_key(self) -> bytes:
        return signing.public_bytes(self.key)

    @property
    def public_key_b64(self) -> str:
        return signing.b64encode(self.public_key)

    @property
    def key_id(self) -> str:
        return signing.key_id(self.public_key)

    def sign(
        self,
        command_type: str,
        payload: dict[str, Any],
        business_date: date,
        idempotency_key: str | None = None,
    ) -> SignedCommand:
        command = Command(
            type=command_type,
            actor=self.party_id,
            key_id=self.key_id,
            idempotency_key=idempotency_key or uuid.uuid4().hex,
            business_date=business_date,
            payload=payload,
        )
        return command.sign(self.key)


class ApiError(Exception):
    """A problem+json response from the API."""

    def __init__(self, problem: dict[str, Any]) -> None:
        super().__init__(f"{problem.get('title')}: {problem.get('detail')}")
        self.problem = problem
        self.status = int(problem.get("status", 0))


class Client:
    def __init__(
        self,
        base_url: str,
        identity: Identity | None = None,
        *,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = TIMEOUT_S_DEFAULT,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.identity = identity
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/api/v1",
            headers=headers,
            transport=transport,
            timeout=timeout_s,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {
                    "title": "HTTP error",
                    "status": response.status_code,
                    "detail": response.text[:200],
                }
            raise ApiError(problem)
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        return self._json(self._http.get(path, params=params))

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._json(self._http.post(path, json=body))

    @property
    def documents(self) -> DocumentsClient:
        """Documents, consent, IoT batches and liens (see ``puhui.client_documents``)."""
        from puhui.client_documents import DocumentsClient

        return DocumentsClient(self)

    @property
    def credit(self) -> CreditClient:
        """Models, policies, decisions, explanations, tax-data consent (``puhui.client_credit``)."""
        from puhui.client_credit import CreditClient

        return CreditClient(self)

    @property
    def receivables(self) -> ReceivablesClient:
        """Receivables: issue, transfer, guarantees, factoring, trace and views."""
        from puhui.client_receivables import ReceivablesClient

        return ReceivablesClient(self)

    @property
    def agri(self) -> AgriClient:
        """Production-model farm loans: templates, lines, flocks, readings (``client_agri``)."""
        from puhui.client_agri import AgriClient

        return AgriClient(self)

    @property
    def orders(self) -> OrdersClient:
        """Order financing: open, countersign, finance, draw, pay; trails (``client_orders``)."""
        from puhui.client_orders import OrdersClient

        return OrdersClient(self)

    def business_date(self) -> date:
        return date.fromisoformat(self.get("/clock")["business_date"])

    def submit_signed(self, signed: SignedCommand) -> dict[str, Any]:
        result: dict[str, Any] = self._json(self._http.post("/commands", json=signed.to_json()))
        return result

    def submit(
        self, command_type: str, payload: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Sign locally with this client's identity, dated today's business date, and submit."""
        return self._post("/commands", self._signed(command_type, payload, idempotency_key))

    def _signed(
        self, command_type: str, payload: dict[str, Any], idempotency_key: str | None
    ) -> dict[str, Any]:
        if self.identity is None:
            raise ValueError("this client has no identity to sign with")
        signed = self.identity.sign(command_type, payload, self.business_date(), idempotency_key)
        return signed.to_json()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._json(self._http.post(path, json=body))
        return result

    # ---- accounts and transfers (the ledger) -------------------------------------------------

    def currencies(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.get("/currencies")["currencies"]
        return result

    def open_chart(
        self, party_id: str, role: str, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Open the chart of accounts of ``role`` for ``party_id``; returns its accounts."""
        payload = {"party_id": party_id, "role": role}
        return self._post(
            "/accounts", self._signed("accounts.open_chart", payload, idempotency_key)
        )

    def open_accounts(
        self, accounts: list[dict[str, Any]], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Open accounts: each ``{account_id, party_id, currency, kind, purpose, ...}``."""
        body = self._signed("accounts.open", {"accounts": accounts}, idempotency_key)
        return self._post("/accounts", body)

    def close_account(
        self, account_id: str, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        body = self._signed("accounts.close", {"account_id": account_id}, idempotency_key)
        return self._post(f"/accounts/{account_id}/close", body)

    def transfer(
        self, *transfers: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Make linked transfers (all or none). Each is ``{id, debit, credit, amount, ...}``,
        ``{id, post: pending_id[, amount]}`` or ``{id, void: pending_id}``; choose ``id``
        yourself and reuse it on a retry: the ledger makes each id at most once."""
        body = self._signed("accounts.transfer", {"transfers": list(transfers)}, idempotency_key)
        return self._post("/transfers", body)

    def post_pending(
        self, transfer_id: str, pending_id: str, amount: int | None = None
    ) -> dict[str, Any]:
        item: dict[str, Any] = {"id": transfer_id, "post": pending_id}
        if amount is not None:
            item["amount"] = amount
        return self.transfer(item)

    def void_pending(self, transfer_id: str, pending_id: str) -> dict[str, Any]:
        return self.transfer({"id": transfer_id, "void": pending_id})

    def account(self, account_id: str, at_seq: int | None = None) -> dict[str, Any]:
        params = {} if at_seq is None else {"at_seq": at_seq}
        result: dict[str, Any] = self.get(f"/accounts/{account_id}", **params)
        return result

    def accounts(self, **filters: Any) -> dict[str, Any]:
        """A page of accounts: ``party_id``, ``currency``, ``after``, ``limit``."""
        result: dict[str, Any] = self.get("/accounts", **filters)
        return result

    def statement(
        self, account_id: str, *, after: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit} | ({"after": after} if after else {})
        result: dict[str, Any] = self.get(f"/accounts/{account_id}/statement", **params)
        return result

    def get_transfer(self, transfer_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get(f"/transfers/{transfer_id}")
        return result

    def transfers_by_reference(self, reference: str, **page: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.get("/transfers", reference=reference, **page)
        return result

    def trial_balance(self, at_seq: int | None = None) -> dict[str, Any]:
        params = {} if at_seq is None else {"at_seq": at_seq}
        result: dict[str, Any] = self.get("/trial-balance", **params)
        return result

    def trace(self, origin: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get("/trace", origin=origin)
        return result

    def checkpoint(self) -> dict[str, Any]:
        result: dict[str, Any] = self.get("/log/checkpoint")
        return result

    def consistency_proof(self, first: int, second: int) -> list[str]:
        result: list[str] = self.get("/log/proofs/consistency", first=first, second=second)["proof"]
        return result

    def entry(self, seq: int, tree_size: int | None = None) -> dict[str, Any]:
        params = {} if tree_size is None else {"tree_size": tree_size}
        result: dict[str, Any] = self.get(f"/entries/{seq}", **params)
        return result

    def post_cosignature(self, size: int, line: str) -> dict[str, Any]:
        response = self._http.post(f"/log/checkpoints/{size}/cosignatures", json={"line": line})
        result: dict[str, Any] = self._json(response)
        return result

    # ---- lending ------------------------------------------------------------------------

    def loan_products(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.get("/lending/products")["products"]
        return result

    def loan_offer(
        self, product_id: str, amount: int, term_periods: int, annual_rate: str
    ) -> dict[str, Any]:
        """Schedule, APR, total interest and total cost of an offer (refused above the cap)."""
        body = {
            "product_id": product_id,
            "amount": amount,
            "term_periods": term_periods,
            "annual_rate": annual_rate,
        }
        result: dict[str, Any] = self._json(self._http.post("/lending/offers", json=body))
        return result

    def loans(self, status: str | None = None) -> list[dict[str, Any]]:
        params = {} if status is None else {"status": status}
        result: list[dict[str, Any]] = self.get("/lending/loans", **params)["loans"]
        return result

    def loan_statement(self, loan_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get(f"/lending/loans/{loan_id}")
        return result

    def loan_schedule(self, loan_id: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.get(f"/lending/loans/{loan_id}/schedule")["schedule"]
        return result

    def settlement_quote(self, loan_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get(f"/lending/loans/{loan_id}/quote")
        return result

    def portfolio(self, lender_id: str | None = None) -> list[dict[str, Any]]:
        params = {} if lender_id is None else {"lender_id": lender_id}
        result: list[dict[str, Any]] = self.get("/lending/portfolio", **params)["portfolio"]
        return result

    def apply_for_loan(
        self,
        loan_id: str,
        product_id: str,
        amount: int,
        term_periods: int,
        payees: list[str],
        purpose: str = "",
    ) -> dict[str, Any]:
        payload = {
            "loan_id": loan_id,
            "product_id": product_id,
            "amount": amount,
            "term_periods": term_periods,
            "payees": [{"party_id": p} for p in payees],
            "purpose": purpose,
        }
        return self.submit("lending.apply", payload, idempotency_key=f"apply-{loan_id}")

    def sign_contract(self, loan_id: str) -> dict[str, Any]:
        """Sign the approved contract; the digest signed is the one on the record."""
        digest = self.loan_statement(loan_id)["loan"]["contract_digest"]
        payload = {"loan_id": loan_id, "contract_digest": digest}
        return self.submit("lending.sign_contract", payload)

    def repay(self, loan_id: str, repayment_id: str, amount: int) -> dict[str, Any]:
        payload = {"loan_id": loan_id, "repayment_id": repayment_id, "amount": amount}
        return self.submit(
            "lending.repay", payload, idempotency_key=f"repay-{loan_id}-{repayment_id}"
        )


class ContextClient:
    """Base of one context's calls on a ``Client`` (``client.documents``, ``client.credit``)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def _identity(self) -> Identity:
        if self._client.identity is None:
            raise ValueError("this client has no identity to sign with")
        return self._client.identity

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._client.post(path, body)
        return result

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._client.get(path, **params)
        return result
