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
    from puhui.client_credit import CreditClient
    from puhui.client_documents import DocumentsClient

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

    def business_date(self) -> date:
        return date.fromisoformat(self.get("/clock")["business_date"])

    def submit_signed(self, signed: SignedCommand) -> dict[str, Any]:
        result: dict[str, Any] = self._json(self._http.post("/commands", json=signed.to_json()))
        return result

    def submit(
        self, command_type: str, payload: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Sign locally with this client's identity, dated today's business date, and submit."""
        if self.identity is None:
            raise ValueError("this client has no identity to sign with")
        signed = self.identity.sign(command_type, payload, self.business_date(), idempotency_key)
        return self.submit_signed(signed)

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
