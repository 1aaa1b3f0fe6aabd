"""SDK for the credit engine (``Client.credit``).

    with Client(url, bank, token=token) as api:
        api.credit.register_model("sme-2026-11", "scorecard", model_file_bytes, card)
        api.credit.set_policy(policy)
        decision = api.credit.decide("dec-1", "seller", "sme-working-capital", "sme-2026-11")
        api.credit.explain("dec-1")                   # {"reproduced": true, ...}

A decision takes two calls: ``assess`` (the platform computes the features under consent,
scores them with the registered model and stores the inputs) and the signed ``credit.decide``
(checked against a fresh recomputation before it reaches the log). ``decide`` does both.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

from puhui.client import ContextClient, Identity
from puhui.kernel.commands import SignedCommand

if TYPE_CHECKING:
    pass


def sign_model_registration(
    identity: Identity,
    model_id: str,
    kind: str,
    content: bytes,
    *,
    feature_version: str,
    training_data_sha256: str,
    metrics: dict[str, str],
    business_date: date,
) -> SignedCommand:
    payload = {
        "model_id": model_id,
        "kind": kind,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size_bytes": len(content),
        "feature_version": feature_version,
        "training_data_sha256": training_data_sha256,
        "metrics": metrics,
    }
    return identity.sign("credit.register_model", payload, business_date, f"model-{model_id}")


class CreditClient(ContextClient):
    """Credit calls of one ``Client``."""

    def register_model(
        self,
        model_id: str,
        kind: str,
        content: bytes,
        *,
        feature_version: str,
        training_data_sha256: str,
        metrics: dict[str, str],
    ) -> dict[str, Any]:
        signed = sign_model_registration(
            self._identity(),
            model_id,
            kind,
            content,
            feature_version=feature_version,
            training_data_sha256=training_data_sha256,
            metrics=metrics,
            business_date=self._client.business_date(),
        )
        body = {"command": signed.to_json(), "content_b64": base64.b64encode(content).decode()}
        return self._post("/credit/models", body)

    def models(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._get("/credit/models")["models"]
        return found

    def set_policy(self, policy: dict[str, Any]) -> dict[str, Any]:
        return self._client.submit("credit.set_policy", {"policy": policy})

    def assess(
        self, decision_id: str, applicant: str, product_id: str, model_id: str
    ) -> dict[str, Any]:
        body = {
            "decision_id": decision_id,
            "applicant": applicant,
            "product_id": product_id,
            "model_id": model_id,
        }
        return self._post("/credit/assessments", body)

    def decide(
        self, decision_id: str, applicant: str, product_id: str, model_id: str
    ) -> dict[str, Any]:
        """Assess, sign the decision locally, submit it; returns the receipt."""
        assessment = self.assess(decision_id, applicant, product_id, model_id)
        signed = self._identity().sign(
            "credit.decide",
            assessment["payload"],
            date.fromisoformat(assessment["as_of"]),
            f"decide-{decision_id}",
        )
        return self._post("/credit/decisions", signed.to_json())

    def decision(self, decision_id: str) -> dict[str, Any]:
        return self._get(f"/credit/decisions/{decision_id}")

    def explain(self, decision_id: str) -> dict[str, Any]:
        return self._get(f"/credit/decisions/{decision_id}/explain")

    def stability(self, model_id: str, since: date) -> dict[str, Any]:
        return self._get(f"/credit/models/{model_id}/stability", since=since.isoformat())

    def authorize_tax_data(
        self, consent_id: str, bank: str, tax_authority: str, fields: list[str], until: date
    ) -> dict[str, Any]:
        payload = {
            "consent_id": consent_id,
            "bank": bank,
            "tax_authority": tax_authority,
            "fields": fields,
            "valid_until": until.isoformat(),
        }
        return self._client.submit("credit.authorize_tax_data", payload)

    def revoke_tax_data(self, consent_id: str) -> dict[str, Any]:
        return self._client.submit("credit.revoke_tax_data", {"consent_id": consent_id})

    def attest_tax(
        self, attestation_id: str, consent_id: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        """As the tax authority: sign figures computed on its own side (see ``credit.tax``)."""
        payload = {"attestation_id": attestation_id, "consent_id": consent_id, "values": values}
        return self._client.submit("credit.attest_tax", payload)
