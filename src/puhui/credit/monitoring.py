"""Monitoring: population stability (PSI) of scores, and characteristic stability (CSI) of each
feature's bins, between the training population (kept in the model file) and recent decisions.

``PSI = Σ (a - e) · ln(a / e)`` over bins, shares floored at ``SHARE_FLOOR`` so empty bins do
not divide by zero. Rule of thumb: < 0.10 stable, 0.10-0.25 watch, > 0.25 shifted: alert.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from puhui.credit import views
from puhui.credit.intake import load_inputs, load_scorecard

ALERT_PSI = 0.25
WATCH_PSI = 0.10
SHARE_FLOOR = 0.0001
DECISIONS_MAX = 10_000
DECISIONS_MIN = 30
"""Below this many recent decisions PSI is reported but raises no alert: too few to judge."""


def psi(expected_shares: Sequence[float], actual_counts: Sequence[int]) -> float:
    total = sum(actual_counts)
    if total == 0:
        return 0.0
    value = 0.0
    for e, count in zip(expected_shares, actual_counts, strict=True):
        e_share, a_share = max(e, SHARE_FLOOR), max(count / total, SHARE_FLOOR)
        value += (a_share - e_share) * math.log(a_share / e_share)
    return value


def status(value: float) -> str:
    return "alert" if value > ALERT_PSI else "watch" if value > WATCH_PSI else "stable"


@dataclass(frozen=True)
class Stability:
    model_id: str
    since: date
    decisions: int
    score_psi: float
    characteristics: dict[str, float]

    @property
    def alerts(self) -> list[str]:
        if self.decisions < DECISIONS_MIN:
            return []
        found = [f"score PSI {self.score_psi:.3f}"] if self.score_psi > ALERT_PSI else []
        found += [f"{n} CSI {v:.3f}" for n, v in self.characteristics.items() if v > ALERT_PSI]
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "since": self.since.isoformat(),
            "decisions": self.decisions,
            "score_psi": round(self.score_psi, 6),
            "score_status": status(self.score_psi),
            "characteristics": {n: round(v, 6) for n, v in self.characteristics.items()},
            "alert_threshold": ALERT_PSI,
            "decisions_min": DECISIONS_MIN,
            "alerts": self.alerts,
        }


def stability(conn: Connection, model_id: str, since: date) -> Stability:
    """PSI of the model's recent decisions (on or after ``since``) against its training data."""
    _model, card = load_scorecard(conn, model_id)
    reference = card.doc.get("monitoring", {"score_edges": [], "training_shares_bp": [10_000]})
    decisions = views.recent_decisions(conn, model_id, since, DECISIONS_MAX)
    edges = reference["score_edges"]
    counts = [0] * (len(edges) + 1)
    for d in decisions:
        counts[bisect_right(edges, d.score)] += 1
    score_psi = psi([s / 10_000 for s in reference["training_shares_bp"]], counts)
    bins: dict[str, list[int]] = {c.name: [0] * (len(c.points) + 1) for c in card.characteristics}
    for d in decisions:
        values = load_inputs(conn, d.inputs_sha256)["values"]
        for c in card.characteristics:
            index = c.bin_of(values.get(c.name))
            bins[c.name][len(c.points) if index is None else index] += 1
    csi = {}
    for raw, c in zip(card.doc["characteristics"], card.characteristics, strict=True):
        shares = raw.get("training_shares_bp")
        if shares is not None:
            csi[c.name] = psi([s / 10_000 for s in shares], bins[c.name])
    return Stability(model_id, since, len(decisions), score_psi, csi)
