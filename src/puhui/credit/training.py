"""Training: a scorecard (optbinning: monotonic binning, WOE, logistic regression, points scaled
to ``POINTS`` at ``ODDS``:1 good:bad and ``PDO`` points to double the odds) exported as an
integer-points ``puhui-scorecard/1`` file, and a LightGBM challenger with monotone constraints.

Heavy libraries (optbinning, scikit-learn, lightgbm, pandas) are imported inside the functions,
so importing puhui stays fast.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from puhui.credit.scorecard import FORMAT, Scorecard, model_bytes

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

POINTS = 600
ODDS = 50
PDO = 20
BAD_COST = 5
GOOD_COST = 1
MIN_BIN_SHARE = 0.02
REGULARISATION = 0.2
"""Inverse strength C of the logistic regression's L2 penalty."""
MISSING_WOE = "empirical"
"""The WOE a missing value is fitted and scored with: its own bin's (optbinning's default, 0,
scores it as the average applicant whatever the missing bin's bad rate)."""
LABEL_CHARS_MAX = 80
GBM_TREES = 300
LIGHTGBM_REPRODUCIBLE: dict[str, Any] = {
    "deterministic": True,
    "force_row_wise": True,
    "n_jobs": 1,
    "verbose": -1,
}
"""LightGBM settings under which the same data and seed give the same trees."""
LIGHTGBM_REGULARISATION: dict[str, Any] = {
    "min_child_samples": 20,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.7,
    "reg_lambda": 5.0,
}
"""Row and column sampling and the L2 penalty of the challenger's and the refinement's trees."""

Trend = str
"""optbinning monotonic trend of the EVENT (bad) rate: ascending, descending, auto_asc_desc, ..."""


@dataclass(frozen=True)
class Dataset:
    name: str
    X: pd.DataFrame
    y: npt.NDArray[np.int64]
    """1 = bad (default), 0 = good."""
    trends: Mapping[str, Trend]
    feature_version: str
    default_trend: Trend | None = None
    """Trend of the numeric characteristics ``trends`` leaves out (None: optbinning's default,
    no monotonicity); e.g. ``auto_asc_desc`` (optbinning picks ascending or descending)."""

    @property
    def categorical(self) -> list[str]:
        return categorical_columns(self.X)

    def digest(self) -> str:
        """SHA-256 of the training data as CSV (features and target): the training data digest."""
        frame = self.X.assign(_target=self.y)
        return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def categorical_columns(X: pd.DataFrame) -> list[str]:
    from pandas.api.types import is_numeric_dtype

    return [c for c in X.columns if not is_numeric_dtype(X[c])]


def _binning_process(data: Dataset, columns: list[str], min_bin_share: float) -> Any:
    from optbinning import BinningProcess

    categorical = [c for c in data.categorical if c in columns]
    params = {}
    for name in columns:
        trend = data.trends.get(name, None if name in categorical else data.default_trend)
        if trend is not None:
            params[name] = {"monotonic_trend": trend}
    return BinningProcess(
        columns,
        categorical_variables=categorical,
        min_prebin_size=min_bin_share,
        binning_fit_params=params,
    )


def fit_binning(
    data: Dataset, rows: npt.NDArray[np.int64], min_bin_share: float = MIN_BIN_SHARE
) -> Any:
    """The fitted optbinning ``BinningProcess`` of every column on ``rows``."""
    process = _binning_process(data, list(data.X.columns), min_bin_share)
    with _quiet():
        process.fit(data.X.iloc[rows], data.y[rows])
    return process


@contextmanager
def _quiet() -> Iterator[None]:
    """optbinning 1.0 trips pandas 3 deprecation warnings (Pandas4Warning among them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


Member = tuple[Sequence[str], float]
"""The characteristics one logistic regression uses, and its inverse L2 penalty ``C``."""


def fit_scorecard(
    data: Dataset,
    rows: npt.NDArray[np.int64] | None = None,
    *,
    members: Sequence[Member] | None = None,
    min_bin_share: float = MIN_BIN_SHARE,
    recalibration: tuple[float, float] = (0.0, 1.0),
    rounds: int = 0,
) -> Scorecard:
    """Fit on ``rows`` (all by default) and return the integer-points model.

    ``members``: the logistic regressions whose coefficients are averaged (``averaging``); by
    default one over every column with ``C = REGULARISATION``. ``rounds``: boosting rounds of
    the ``refinement`` folded into the points (0: none). ``recalibration`` (a, b) maps the
    Platt log-odds ``z`` fitted on ``rows`` to ``a + b * z`` (``fitting`` measures it on inner
    out-of-fold PDs)."""
    import numpy as np
    from optbinning import Scorecard as OptScorecard

    from puhui.credit import refinement
    from puhui.credit.averaging import AveragedLogisticRegression

    regressions = members or ((tuple(data.X.columns), REGULARISATION),)
    columns = columns_named(data, [features for features, _ in regressions])
    at = np.arange(len(data.y)) if rows is None else np.asarray(rows)
    X, y = data.X.iloc[at][columns], data.y[at]
    estimator = AveragedLogisticRegression.over(columns, regressions)
    card = OptScorecard(
        binning_process=_binning_process(data, columns, min_bin_share),
        estimator=estimator,
        scaling_method="pdo_odds",
        scaling_method_params={"pdo": PDO, "odds": ODDS, "scorecard_points": POINTS},
        rounding=True,
    )
    with _quiet():
        card.fit(X, y, metric_missing=MISSING_WOE)
    table = card.table(style="detailed")
    characteristics = [_characteristic(card, table, name) for name in X.columns]
    scores = _draft(data, characteristics).score_batch(_columns(X))
    if rounds:
        intercept, slope = _platt_fit(scores, y)
        init = (intercept + slope * scores).astype(np.float64)
        stumps = refinement.fit(data, at, columns, init, rounds)
        characteristics = refinement.fold(characteristics, stumps, X, slope)
        scores = _draft(data, characteristics).score_batch(_columns(X))
    document = _document(data, characteristics, _platt(scores, y, recalibration))
    document["monitoring"] = _score_reference(scores)
    return Scorecard.from_bytes(model_bytes(document))


def columns_named(data: Dataset, lists: Sequence[Sequence[str]]) -> list[str]:
    """The columns any of ``lists`` names, in the data's column order."""
    named = {name for names in lists for name in names}
    return [c for c in data.X.columns if c in named]


def _draft(data: Dataset, characteristics: list[dict[str, Any]]) -> Scorecard:
    """The model before its calibration: enough to score."""
    return Scorecard.from_bytes(
        model_bytes(_document(data, characteristics, {"intercept": "0", "slope": "0"}))
    )


def _characteristic(card: Any, table: pd.DataFrame, name: str) -> dict[str, Any]:
    binned = card.binning_process_.get_binned_variable(name)
    rows = table[table["Variable"] == name]
    regular = rows[~rows["Bin"].astype(str).isin(["Special", "Missing"])]
    missing = rows[rows["Bin"].astype(str) == "Missing"]
    points = [round(float(p)) for p in regular["Points"]]
    labels = [bin_label(b) for b in regular["Bin"]]
    shares = [round(float(s) * 10_000) for s in regular["Count (%)"]]
    out: dict[str, Any] = {
        "name": name,
        "points": points,
        "missing_points": round(float(missing["Points"].iloc[0])),
        "labels": labels,
        "training_shares_bp": [*shares, round(float(missing["Count (%)"].iloc[0]) * 10_000)],
        "iv": f"{float(rows['IV'].sum()):.6f}",
    }
    if binned.dtype == "categorical":
        out |= {"kind": "categorical", "groups": [sorted(str(c) for c in g) for g in binned.splits]}
    else:
        out |= {"kind": "numeric", "splits": [repr(float(s)) for s in binned.splits]}
    return out


def bin_label(raw: object) -> str:
    """A bin as its reason code reads it: an interval, or its categories joined, cut to
    ``LABEL_CHARS_MAX``."""
    text = raw if isinstance(raw, str) else ", ".join(str(c) for c in raw)  # type: ignore[attr-defined]
    return text if len(text) <= LABEL_CHARS_MAX else text[: LABEL_CHARS_MAX - 1] + "…"


def _document(
    data: Dataset, characteristics: list[dict[str, Any]], calibration: dict[str, str]
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "feature_version": data.feature_version,
        "scaling": {"points": POINTS, "odds": ODDS, "pdo": PDO},
        "characteristics": characteristics,
        "calibration": calibration,
        "training": {"dataset": data.name, "rows": len(data.X), "data_sha256": data.digest()},
    }


def _platt_fit(scores: npt.NDArray[np.int64], y: npt.NDArray[np.int64]) -> tuple[float, float]:
    """Intercept and slope (log-odds per point) of a logistic fit of the label on the score."""
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e6, max_iter=1000).fit(scores.reshape(-1, 1).astype(float), y)
    return float(fit.intercept_[0]), float(fit.coef_[0][0])


def _platt(
    scores: npt.NDArray[np.int64], y: npt.NDArray[np.int64], recalibration: tuple[float, float]
) -> dict[str, str]:
    """Calibrate PD on the integer score (Platt scaling), then map its log-odds ``z`` to
    ``a + b * z`` with ``recalibration`` (a, b); stored as decimal strings."""
    fitted_intercept, fitted_slope = _platt_fit(scores, y)
    a, b = recalibration
    intercept, slope = a + b * fitted_intercept, b * fitted_slope
    return {"intercept": f"{intercept:.10g}", "slope": f"{slope:.10g}"}


def _score_reference(scores: npt.NDArray[np.int64]) -> dict[str, Any]:
    """Score deciles of the training population: the reference for PSI."""
    import numpy as np

    edges = sorted({int(e) for e in np.quantile(scores, np.linspace(0.1, 0.9, 9))})
    counts = np.bincount(np.searchsorted(edges, scores, side="right"), minlength=len(edges) + 1)
    shares = [round(int(c) * 10_000 / len(scores)) for c in counts]
    return {"score_edges": edges, "training_shares_bp": shares}


def _columns(X: pd.DataFrame) -> dict[str, Any]:
    return {c: X[c].to_numpy() for c in X.columns}


def score_frame(model: Scorecard, X: pd.DataFrame) -> npt.NDArray[np.int64]:
    return model.score_batch(_columns(X))


def pd_frame(model: Scorecard, X: pd.DataFrame) -> npt.NDArray[np.float64]:
    import numpy as np

    return np.array([float(p) for p in model.pd_batch(score_frame(model, X))])


# ---- the challenger --------------------------------------------------------------------------


def lightgbm_frame(X: pd.DataFrame) -> pd.DataFrame:
    """The frame LightGBM reads: text columns as pandas categories."""
    return X.astype(dict.fromkeys(categorical_columns(X), "category"))


def fit_gbm(data: Dataset, rows: npt.NDArray[np.int64] | None = None, seed: int = 7) -> Any:
    """LightGBM with monotone constraints where the trend is known; deterministic settings."""
    import lightgbm

    X = data.X if rows is None else data.X.iloc[rows]
    y = data.y if rows is None else data.y[rows]
    sign = {"ascending": 1, "descending": -1}
    constraints = [sign.get(data.trends.get(c, ""), 0) for c in X.columns]
    model = lightgbm.LGBMClassifier(
        n_estimators=GBM_TREES,
        learning_rate=0.03,
        num_leaves=8,
        **LIGHTGBM_REGULARISATION,
        monotone_constraints=constraints,
        monotone_constraints_method="advanced",
        random_state=seed,
        **LIGHTGBM_REPRODUCIBLE,
    )
    model.fit(lightgbm_frame(X), y)
    return model


def gbm_pd(model: Any, X: pd.DataFrame) -> npt.NDArray[np.float64]:
    import numpy as np

    return np.asarray(model.predict_proba(lightgbm_frame(X))[:, 1], dtype=np.float64)


# ---- metrics ---------------------------------------------------------------------------------


def auc(y: npt.NDArray[np.int64], pd: npt.NDArray[np.float64]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, pd))


def ks(y: npt.NDArray[np.int64], pd: npt.NDArray[np.float64]) -> float:
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y, pd)
    return float((tpr - fpr).max())


def expected_cost(
    y: npt.NDArray[np.int64], pd: npt.NDArray[np.float64], threshold: float | None = None
) -> float:
    """Cost per applicant with the Statlog matrix: a bad accepted costs 5, a good refused 1.

    Declining when PD > 1/6 minimises the expected cost of a calibrated PD."""
    cut = GOOD_COST / (GOOD_COST + BAD_COST) if threshold is None else threshold
    declined = pd > cut
    bad_accepted = int(((y == 1) & ~declined).sum())
    good_declined = int(((y == 0) & declined).sum())
    return (BAD_COST * bad_accepted + GOOD_COST * good_declined) / len(y)


def metrics(
    y: npt.NDArray[np.int64], pd: npt.NDArray[np.float64], cutoff: float | None = None
) -> dict[str, float]:
    """AUC, KS and the 5:1 cost declining above ``cutoff`` (the Bayes 1/6 by default)."""
    return {"auc": auc(y, pd), "ks": ks(y, pd), "cost": expected_cost(y, pd, cutoff)}
