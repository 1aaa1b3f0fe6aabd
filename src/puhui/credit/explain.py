"""`puhui credit explain`: reproduce a decision bit for bit from the log, the stored inputs and
the registered model file, and show why — points per characteristic, reason codes, the rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from puhui.credit import views
from puhui.credit.commands import Decide
from puhui.credit.intake import expected_payload, load_inputs, load_scorecard
from puhui.credit.policy import apply


@dataclass(frozen=True)
class Explanation:
    decision: views.Decision
    reproduced: bool
    differences: tuple[str, ...]
    characteristics: tuple[dict[str, Any], ...]
    policy_reasons: tuple[str, ...]
    model_sha256: str
    policy_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision.to_json(),
            "reproduced": self.reproduced,
            "differences": list(self.differences),
            "characteristics": list(self.characteristics),
            "policy_reasons": list(self.policy_reasons),
            "model_sha256": self.model_sha256,
            "policy_sha256": self.policy_sha256,
        }


def explain(conn: Connection, decision_id: str) -> Explanation:
    d = views.get_decision(conn, decision_id)
    model, card = load_scorecard(conn, d.model_id)
    inputs = load_inputs(conn, d.inputs_sha256)
    values = inputs["values"]
    recorded = Decide(
        decision_id=d.decision_id,
        applicant=d.applicant,
        product_id=d.product_id,
        model_id=d.model_id,
        inputs_sha256=d.inputs_sha256,
        score=d.score,
        pd=d.pd,
        reasons=json.loads(d.reasons),
        tax_rating=values["tax_rating"],
        current_dpd_days_max=values["current_dpd_days_max"],
        sources=inputs["sources"],
        attestation_id=d.attestation_id,
    )
    expected = expected_payload(conn, recorded)
    given = recorded.model_dump(mode="json")
    diffs = [k for k in ("score", "pd", "reasons") if given[k] != expected[k]]
    product = views.get_policy(conn, d.product_id, d.policy_version)
    if product.policy_sha256 != d.policy_sha256:
        diffs.append("policy_sha256")
    outcome = apply(product.rules, expected["score"], Decimal(expected["pd"]), values)
    for name, got, want in (
        ("outcome", outcome.outcome, d.outcome),
        ("limit_fen", outcome.limit_fen, d.limit_fen),
        ("rate", None if outcome.rate is None else str(outcome.rate), d.rate),
    ):
        if got != want:
            diffs.append(name)
    scored = card.score(values)
    rows = []
    for c in card.characteristics:
        index = c.bin_of(values[c.name])
        rows.append(
            {
                "feature": c.name,
                "value": values[c.name],
                "bin": "missing" if index is None else c.labels[index],
                "points": scored.points[c.name],
                "best_points": c.best_points,
            }
        )
    return Explanation(
        d,
        not diffs,
        tuple(diffs),
        tuple(rows),
        outcome.policy_reasons,
        model.sha256,
        product.policy_sha256,
    )
