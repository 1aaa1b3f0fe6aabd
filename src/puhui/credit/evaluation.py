"""Repeated stratified k-fold cross-validation of the scorecard and the LightGBM challenger:
AUC, KS and expected cost (Statlog 5:1 matrix) averaged over every fold, and the out-of-fold
predictions of the first repetition for the report's pictures.

Each training fold chooses its scorecard's settings by an inner cross-validation on its own
rows (``fitting.fit_selected``); the test fold only scores. The cost declines when the
Platt-calibrated PD > 1/6 (the Bayes cutoff); ``cost_inner_cutoff`` is the cost at the cutoff
the inner CV found cheapest, kept for comparison (worse on German Credit, whose cost curve
over a few hundred rows is too noisy to pick a cutoff from)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from puhui.credit import fitting
from puhui.credit import training as t

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

REPEATS_MAX = 50


@dataclass
class CrossValidation:
    dataset: str
    repeats: int
    folds: int
    scorecard: list[dict[str, float]] = field(default_factory=list)
    gbm: list[dict[str, float]] = field(default_factory=list)
    oof_pd: npt.NDArray[np.float64] | None = None
    oof_pd_gbm: npt.NDArray[np.float64] | None = None
    oof_score: npt.NDArray[np.int64] | None = None
    selections: list[fitting.Selection] = field(default_factory=list)

    def mean(self, which: str = "scorecard") -> dict[str, float]:
        rows = self.scorecard if which == "scorecard" else self.gbm
        return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]} if rows else {}


def cross_validate(
    data: t.Dataset,
    repeats: int = 10,
    folds: int = 5,
    *,
    gbm: bool = True,
    progress: Callable[[int], None] | None = None,
) -> CrossValidation:
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    result = CrossValidation(data.name, min(repeats, REPEATS_MAX), folds)
    n = len(data.y)
    for rep in range(result.repeats):
        split = StratifiedKFold(folds, shuffle=True, random_state=rep).split(data.X, data.y)
        oof, oof_gbm, oof_score = np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64)
        for train, test in split:
            fitted = fitting.fit_selected(data, train, seed=rep)
            result.selections.append(fitted.selection)
            X_test = data.X.iloc[test]
            oof_score[test] = t.score_frame(fitted.model, X_test)
            oof[test] = t.pd_frame(fitted.model, X_test)
            row = t.metrics(data.y[test], oof[test])  # decline when PD > 1/6 (Bayes)
            cutoff = fitted.selection.cutoff
            row["cost_inner_cutoff"] = t.expected_cost(data.y[test], oof[test], cutoff)
            result.scorecard.append(row)
            if gbm:
                challenger = t.fit_gbm(data, train)
                oof_gbm[test] = t.gbm_pd(challenger, X_test)
                result.gbm.append(t.metrics(data.y[test], oof_gbm[test]))
            if progress is not None:
                progress(1)
        if rep == 0:
            result.oof_pd, result.oof_score = oof, oof_score
            result.oof_pd_gbm = oof_gbm if gbm else None
    return result
