"""Refinement of a WOE scorecard by boosted one-characteristic trees, folded back into points.

WOE is each characteristic's *marginal* bad rate, and the logistic regression scales a
characteristic's whole WOE curve by one coefficient. Where characteristics overlap
(``credit_data``'s ratios share income, amount and price) the effect of one *given the others*
has another shape. Gradient-boosted stumps started from the scorecard's log-odds learn those
partial shapes. Each stump splits one characteristic, so the sum stays additive per
characteristic and folds into the same file: a characteristic's splits become the union of its
WOE splits and the stumps' thresholds, its points the WOE points plus the stumps' sum divided by
the calibration slope (log-odds per point). Monotone constraints follow the business trends, so a
monotone characteristic stays monotone. How many rounds (0: none) is chosen by the inner CV
(``fitting``) like the rest of the scorecard's settings.

Feature values are integers, so a stump's ``x <= t`` is ``x < floor(t) + 1``: every folded split
is a whole number and each bin's smallest value represents it. The stumps' contributions are read
through LightGBM's own routing (``pred_contrib``: exact for one-feature trees, centred on the
training rows), never re-implemented here.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from puhui.credit.scorecard import BINS_MAX
from puhui.credit.training import (
    LIGHTGBM_REGULARISATION,
    LIGHTGBM_REPRODUCIBLE,
    Dataset,
    bin_label,
    lightgbm_frame,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

ROUNDS = (0, 100, 200, 400, 800)
"""Boosting rounds the inner CV chooses from."""
LEARNING_RATE = 0.03
WOE_BINS_MAX = 20
"""optbinning's default ``max_n_prebins``: a WOE characteristic has at most this many bins."""
HISTOGRAM_BINS = BINS_MAX - WOE_BINS_MAX - 4
"""LightGBM's ``max_bin``: at most ``HISTOGRAM_BINS - 1`` thresholds per characteristic, so the
folded characteristic stays within the file's ``BINS_MAX``."""


def fit(
    data: Dataset,
    rows: npt.NDArray[np.int64],
    features: Sequence[str],
    init_logit: npt.NDArray[np.float64],
    rounds: int,
    seed: int = 7,
) -> Any:
    """Stumps boosted for ``rounds`` on ``rows`` from the scorecard's log-odds ``init_logit``."""
    import lightgbm

    sign = {"ascending": 1, "descending": -1}
    model = lightgbm.LGBMClassifier(
        n_estimators=rounds,
        learning_rate=LEARNING_RATE,
        num_leaves=2,
        **LIGHTGBM_REGULARISATION,
        max_bin=HISTOGRAM_BINS,
        monotone_constraints=[sign.get(data.trends.get(c, ""), 0) for c in features],
        random_state=seed,
        **LIGHTGBM_REPRODUCIBLE,
    )
    model.fit(
        lightgbm_frame(data.X.iloc[rows][list(features)]), data.y[rows], init_score=init_logit
    )
    return model


def logit(model: Any, X: pd.DataFrame, rounds: int | None = None) -> npt.NDArray[np.float64]:
    """The stumps' log-odds (without the initial scorecard's) after ``rounds`` (all: None)."""
    import numpy as np

    raw = model.predict(lightgbm_frame(X), raw_score=True, num_iteration=rounds)
    return np.asarray(raw, dtype=np.float64)


def fold(
    characteristics: list[dict[str, Any]],
    model: Any,
    X: pd.DataFrame,
    slope: float,
) -> list[dict[str, Any]]:
    """The characteristics with the stumps folded in: ``points + contribution / slope`` per bin
    (``slope`` is the calibration's log-odds per point, negative), adjacent bins of equal points
    merged, training shares counted on ``X`` (the training rows)."""
    names = [c["name"] for c in characteristics]
    values = {
        c["name"]: _representatives(c, model, names.index(c["name"])) for c in characteristics
    }
    contributions = _contributions(model, X[names], values)
    return [
        _folded(c, values[c["name"]], contributions[c["name"]], slope, X[c["name"]])
        for c in characteristics
    ]


def _representatives(characteristic: dict[str, Any], model: Any, index: int) -> list[Any]:
    """One value per bin of the folded characteristic: every category it was binned with, or the
    smallest whole number of each interval between the union of WOE splits and thresholds."""
    if characteristic["kind"] == "categorical":
        return [c for group in characteristic["groups"] for c in group]
    splits = {math.ceil(float(s)) for s in characteristic["splits"]}
    splits |= {math.floor(t) + 1 for t in _thresholds(model, index)}
    ordered = sorted(splits)
    return [ordered[0] - 1, *ordered] if ordered else [0]


def _thresholds(model: Any, index: int) -> list[float]:
    found: list[float] = []

    def walk(node: dict[str, Any]) -> None:
        if "split_feature" in node:
            if node["split_feature"] == index:
                found.append(float(node["threshold"]))
            walk(node["left_child"])
            walk(node["right_child"])

    for tree in model.booster_.dump_model()["tree_info"]:
        walk(tree["tree_structure"])
    return found


def _contributions(
    model: Any, X: pd.DataFrame, values: dict[str, list[Any]]
) -> dict[str, tuple[list[float], float]]:
    """Per characteristic: the stumps' contribution at each representative, and at a missing
    value (0 when the training rows had none: LightGBM would read a missing value as 0)."""
    import numpy as np
    import pandas as pd

    # LightGBM maps the probe's categories onto the training rows' own, by value
    length = max(len(v) for v in values.values()) + 1  # the last row is all missing
    probe = pd.DataFrame(
        {name: [*v, *[None] * (length - len(v))] for name, v in values.items()}, columns=X.columns
    )
    for name in X.columns:
        if X[name].dtype.kind in "iuf":
            probe[name] = probe[name].astype("float64")
    contrib = np.asarray(model.predict(lightgbm_frame(probe), pred_contrib=True))
    out = {}
    for j, name in enumerate(X.columns):
        seen_missing = bool(X[name].isna().any())
        at = [float(contrib[i, j]) for i in range(len(values[name]))]
        out[name] = (at, float(contrib[length - 1, j]) if seen_missing else 0.0)
    return out


def _folded(
    c: dict[str, Any],
    values: list[Any],
    contribution: tuple[list[float], float],
    slope: float,
    column: pd.Series,
) -> dict[str, Any]:
    at, missing = contribution
    base = [_woe_points(c, v) for v in values]
    points = [round(p + x / slope) for p, x in zip(base, at, strict=True)]
    out = dict(c)
    out["missing_points"] = round(c["missing_points"] + missing / slope)
    if c["kind"] == "categorical":
        groups: dict[int, list[str]] = {}
        for value, p in zip(values, points, strict=True):
            groups.setdefault(p, []).append(value)
        out["groups"] = [sorted(g) for g in groups.values()]
        out["points"] = list(groups)
        out["labels"] = [bin_label(g) for g in out["groups"]]
        bins = [column.isin(g) for g in out["groups"]]
    else:
        splits, merged = [], [points[0]]
        for value, p in zip(values[1:], points[1:], strict=True):
            if p != merged[-1]:
                splits.append(value)
                merged.append(p)
        out["splits"] = [repr(float(s)) for s in splits]
        out["points"] = merged
        intervals = list(pairwise([-math.inf, *splits, math.inf]))
        out["labels"] = [_interval_label(a, b) for a, b in intervals]
        bins = [(column >= a) & (column < b) for a, b in intervals]
    shares = [int(b.sum()) for b in bins] + [int(column.isna().sum())]
    out["training_shares_bp"] = [round(s * 10_000 / len(column)) for s in shares]
    return out


def _woe_points(c: dict[str, Any], value: Any) -> int:
    if c["kind"] == "categorical":
        index = next(i for i, g in enumerate(c["groups"]) if value in g)
    else:
        index = bisect_right([float(s) for s in c["splits"]], value)
    return int(c["points"][index])


def _interval_label(low: float, high: float) -> str:
    if low == -math.inf:
        return f"(-inf, {high:.0f})"
    return f"[{low:.0f}, inf)" if high == math.inf else f"[{low:.0f}, {high:.0f})"
