"""The model card (JSON) and the evaluation report (one self-contained HTML file: pictures are
matplotlib PNGs embedded as base64, no network assets)."""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from puhui.credit.evaluation import CrossValidation
from puhui.credit.scorecard import Scorecard
from puhui.credit.training import BAD_COST, GOOD_COST, Dataset

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from matplotlib.figure import Figure

CALIBRATION_BINS = 10


def model_card(
    model_id: str,
    card: Scorecard,
    data: Dataset,
    cv: CrossValidation | None,
    selection: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a supervisor asks about a model, in one JSON document."""
    chars = [
        {"name": c["name"], "kind": c["kind"], "bins": len(c["points"]), "iv": c.get("iv")}
        for c in card.doc["characteristics"]
    ]
    metrics = (
        {}
        if cv is None
        else {
            "cv": f"{cv.repeats} x {cv.folds}-fold stratified",
            "scorecard": {k: round(v, 4) for k, v in cv.mean().items()},
            "gbm_challenger": {k: round(v, 4) for k, v in cv.mean("gbm").items()},
            "cost_matrix": f"bad accepted {BAD_COST}, good refused {GOOD_COST}",
        }
    )
    return {
        "model_id": model_id,
        "kind": "scorecard",
        "format": card.doc["format"],
        "sha256": card.sha256,
        "feature_version": card.feature_version,
        "training": {
            "dataset": data.name,
            "rows": len(data.y),
            "bad_rate": round(float(data.y.mean()), 4),
            "data_sha256": data.digest(),
        },
        "scaling": card.doc["scaling"],
        "score_range": list(card.score_range),
        "calibration": card.doc["calibration"],
        "characteristics": chars,
        "selection": selection,
        "metrics": metrics,
        "intended_use": "ranking applicants by probability of default; decisions only through "
        "a product policy, with reason codes; challenger monitored in parallel",
        "limitations": "trained on historical data; check PSI monthly; not for applicants "
        "outside the training population",
    }


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figures(
    y: npt.NDArray[np.int64],
    pds: dict[str, npt.NDArray[np.float64]],
    scores: npt.NDArray[np.int64],
) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib.figure import Figure
    from sklearn.metrics import roc_curve

    out = {}
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    for name, pd in pds.items():
        fpr, tpr, _ = roc_curve(y, pd)
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    ax.legend()
    out["ROC curve"] = _png(fig)
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    order = np.sort(np.unique(scores))
    bad = np.array([(scores[y == 1] <= s).mean() for s in order])
    good = np.array([(scores[y == 0] <= s).mean() for s in order])
    ax.plot(order, bad, label="bad (cumulative)")
    ax.plot(order, good, label="good (cumulative)")
    at = int(np.argmax(bad - good))
    ax.vlines(order[at], good[at], bad[at], colors="red", label=f"KS {bad[at] - good[at]:.3f}")
    ax.set(xlabel="score", ylabel="share", title="KS")
    ax.legend()
    out["KS"] = _png(fig)
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    for name, pd in pds.items():
        edges = np.quantile(pd, np.linspace(0, 1, CALIBRATION_BINS + 1))
        index = np.clip(np.searchsorted(edges, pd, side="right") - 1, 0, CALIBRATION_BINS - 1)
        mean_pd = [pd[index == b].mean() for b in range(CALIBRATION_BINS) if (index == b).any()]
        rate = [y[index == b].mean() for b in range(CALIBRATION_BINS) if (index == b).any()]
        ax.plot(mean_pd, rate, "o-", label=name)
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set(xlabel="predicted PD", ylabel="observed bad rate", title="Calibration (deciles)")
    ax.legend()
    out["Calibration"] = _png(fig)
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    ax.hist([scores[y == 0], scores[y == 1]], bins=30, label=["good", "bad"], stacked=True)
    ax.set(xlabel="score", ylabel="applicants", title="Score distribution")
    ax.legend()
    out["Score distribution"] = _png(fig)
    return out


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def html_report(card_json: dict[str, Any], card: Scorecard, cv: CrossValidation, y: Any) -> str:
    """One HTML page: model card, CV metrics, four pictures, the bin table of every feature."""
    if cv.oof_pd is None or cv.oof_score is None:
        raise ValueError("the cross-validation kept no out-of-fold predictions")
    pds = {"scorecard": cv.oof_pd}
    if cv.oof_pd_gbm is not None:
        pds["LightGBM challenger"] = cv.oof_pd_gbm
    pictures = "".join(
        f'<figure><img alt="{html.escape(t)}" src="data:image/png;base64,{p}">'
        f"<figcaption>{html.escape(t)} (out-of-fold, first repetition)</figcaption></figure>"
        for t, p in _figures(y, pds, cv.oof_score).items()
    )
    metrics = [
        {"model": name, **{k: f"{v:.4f}" for k, v in cv.mean(key).items()}}
        for name, key in (("scorecard", "scorecard"), ("LightGBM challenger", "gbm"))
        if cv.mean(key)
    ]
    bins = ""
    for raw in card.doc["characteristics"]:
        labels = [*raw["labels"], "missing"]
        points = [*raw["points"], raw["missing_points"]]
        shares = raw.get("training_shares_bp", [""] * len(points))
        rows = [
            {"bin": b, "points": p, "training share %": "" if s == "" else f"{s / 100:.1f}"}
            for b, p, s in zip(labels, points, shares, strict=True)
        ]
        title = f"{raw['name']} (IV {raw.get('iv', '?')})"
        bins += f"<h3>{html.escape(title)}</h3>" + _table(
            rows, ["bin", "points", "training share %"]
        )
    style = (
        "body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
        "figure{display:inline-block;margin:.5em}"
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Model "
        f"{html.escape(card_json['model_id'])}</title><style>{style}</style></head><body>"
        f"<h1>Model {html.escape(card_json['model_id'])}</h1><p>generated {generated}</p>"
        f"<h2>Model card</h2><pre>{html.escape(_pretty(card_json))}</pre>"
        f"<h2>Cross-validation ({cv.repeats} × {cv.folds}-fold)</h2>"
        + _table(metrics, ["model", "auc", "ks", "cost"])
        + f"<h2>Pictures</h2>{pictures}<h2>Bin tables</h2>{bins}</body></html>"
    )


def _pretty(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)
