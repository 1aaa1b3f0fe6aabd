"""SDK for documents, consent, IoT batches and liens (``Client.documents``).

    from puhui.client import Client, Identity
    with Client(url, me, token=token) as api:
        package, receipt = api.documents.register("inv-1", "e_invoice", body, counterparty="buyer")
        api.documents.verify(package)                 # {"verified": true, "verdict": "authentic"}
        api.documents.register_lien("lien-1", package_fingerprint, "e_invoice", grantor="seller")

Salts are drawn here, on the client, and kept in the returned ``Package``: whoever holds the
package can prove its content against the log; the platform stores a copy off-log.
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from puhui.client import ContextClient, Identity
from puhui.documents.content import Attachment, Package
from puhui.documents.model import SALT_BYTES
from puhui.kernel.commands import SignedCommand

if TYPE_CHECKING:
    pass


def new_salt() -> str:
    return os.urandom(SALT_BYTES).hex()


def sign_registration(
    identity: Identity,
    document_id: str,
    kind: str,
    body: dict[str, Any],
    business_date: date,
    *,
    counterparty: str | None = None,
    file: Attachment | None = None,
    salt: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[SignedCommand, Package]:
    """Validate ``body`` locally, draw a salt and sign ``document.register`` for it."""
    package = Package(document_id, kind, body, salt or new_salt(), file)
    prepared = package.prepare()
    payload: dict[str, Any] = {
        "document_id": document_id,
        "kind": kind,
        "commitment": prepared.commitment,
        "fingerprint": prepared.fingerprint,
        "counterparty": counterparty,
        "device_id": body.get("device_id") if kind == "iot_batch" else None,
        "file": prepared.file_metadata,
    }
    signed = identity.sign(
        "document.register", payload, business_date, idempotency_key or f"doc-{document_id}"
    )
    return signed, package


class DocumentsClient(ContextClient):
    """Documents, consent, IoT and lien calls of one ``Client``."""

    def register(
        self,
        document_id: str,
        kind: str,
        body: dict[str, Any],
        *,
        counterparty: str | None = None,
        file: Attachment | None = None,
    ) -> tuple[Package, dict[str, Any]]:
        """Register a document with its content; returns the package to keep and the receipt."""
        signed, package = sign_registration(
            self._identity(),
            document_id,
            kind,
            body,
            self._client.business_date(),
            counterparty=counterparty,
            file=file,
        )
        receipt = self._post(
            "/documents", {"command": signed.to_json(), "package": package.to_json()}
        )
        return package, receipt

    def post_iot_batch(
        self, document_id: str, body: dict[str, Any]
    ) -> tuple[Package, dict[str, Any]]:
        return self.register(document_id, "iot_batch", body)

    def read(self, document_id: str, purpose: str) -> dict[str, Any]:
        """Ask for a document's bytes (recorded on the log); returns {package, receipt}."""
        signed = self._identity().sign(
            "document.read",
            {"document_id": document_id, "purpose": purpose},
            self._client.business_date(),
            f"read-{uuid.uuid4().hex}",
        )
        return self._post(f"/documents/{document_id}/read", signed.to_json())

    def verify(self, package: Package | dict[str, Any]) -> dict[str, Any]:
        body = package.to_json() if isinstance(package, Package) else package
        return self._post("/documents/verify", body)

    def fingerprint(self, kind: str, body: dict[str, Any]) -> str:
        result: str = self._post("/documents/fingerprint", {"kind": kind, "body": body})[
            "fingerprint"
        ]
        return result

    def document(self, document_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client.get(f"/documents/{document_id}")
        return result

    def access_log(self, document_id: str | None = None) -> list[dict[str, Any]]:
        params = {} if document_id is None else {"document_id": document_id}
        result: list[dict[str, Any]] = self._client.get("/documents/access-log", **params)["reads"]
        return result

    def encumbrance(self, fingerprint: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client.get(f"/liens/encumbrance/{fingerprint}")
        return result

    def confirm(self, document_id: str) -> dict[str, Any]:
        return self._client.submit("document.confirm", {"document_id": document_id})

    def grant(
        self,
        grant_id: str,
        grantee: str,
        purpose: str,
        valid_until: date,
        *,
        document_id: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        payload = {
            "grant_id": grant_id,
            "grantee": grantee,
            "purpose": purpose,
            "valid_until": valid_until.isoformat(),
            "document_id": document_id,
            "kind": kind,
        }
        return self._client.submit("consent.grant", payload, idempotency_key=f"grant-{grant_id}")

    def revoke(self, grant_id: str, reason: str = "revoked by owner") -> dict[str, Any]:
        return self._client.submit("consent.revoke", {"grant_id": grant_id, "reason": reason})

    def register_device(self, device_id: str, name: str) -> dict[str, Any]:
        return self._client.submit("iot.register_device", {"device_id": device_id, "name": name})

    def register_lien(
        self,
        lien_id: str,
        fingerprint: str,
        kind: str,
        grantor: str,
        *,
        document_id: str | None = None,
        terms_sha256: str | None = None,
    ) -> dict[str, Any]:
        payload = {
            "lien_id": lien_id,
            "fingerprint": fingerprint,
            "kind": kind,
            "grantor": grantor,
            "document_id": document_id,
            "terms_sha256": terms_sha256,
        }
        return self._client.submit("lien.register", payload, idempotency_key=f"lien-{lien_id}")

    def release_lien(self, lien_id: str, reason: str = "holder_release") -> dict[str, Any]:
        return self._client.submit("lien.release", {"lien_id": lien_id, "reason": reason})
