"""The scorecard's regression: the mean of several L2 logistic regressions on the WOE columns.

Each member is one of the settings ``fitting`` tries (an inverse penalty ``C`` and the columns a
feature-selection rule keeps). On a thousand applicants the inner cross-validation that would
pick one of them is about as noisy as the differences between them, so picking the best
adds variance; the mean of their coefficient vectors (a column a member leaves out counts 0)
is one linear model over the same WOE columns, whose log-odds are the mean of the members'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

Member = tuple[tuple[int, ...], float]
"""The WOE column indices a member regresses on, and its ``C``."""


class AveragedLogisticRegression(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    def __init__(self, members: Sequence[Member] = ()) -> None:
        self.members = members

    @classmethod
    def over(
        cls, columns: Sequence[str], members: Sequence[tuple[Sequence[str], float]]
    ) -> AveragedLogisticRegression:
        """Members named by characteristic, for a WOE matrix whose columns are ``columns``."""
        return cls(tuple((tuple(columns.index(n) for n in names), c) for names, c in members))

    def fit(self, X: Any, y: Any) -> AveragedLogisticRegression:
        matrix = np.asarray(X, dtype=np.float64)
        if not self.members:
            raise ValueError("at least one member is needed")
        self.members_ = [
            LogisticRegression(C=c, max_iter=1000).fit(matrix[:, list(at)], y)
            for at, c in self.members
        ]
        coef = np.zeros(matrix.shape[1])
        for (at, _), fitted in zip(self.members, self.members_, strict=True):
            coef[list(at)] += fitted.coef_[0]
        self.coef_ = (coef / len(self.members)).reshape(1, -1)
        self.intercept_ = np.array([np.mean([m.intercept_[0] for m in self.members_])])
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X: Any) -> npt.NDArray[np.float64]:
        matrix = np.asarray(X, dtype=np.float64)
        return np.asarray(matrix @ self.coef_[0] + self.intercept_[0], dtype=np.float64)

    def member_decision_functions(self, X: Any) -> list[npt.NDArray[np.float64]]:
        matrix = np.asarray(X, dtype=np.float64)
        return [
            np.asarray(m.decision_function(matrix[:, list(at)]), dtype=np.float64)
            for (at, _), m in zip(self.members, self.members_, strict=True)
        ]

    def predict_proba(self, X: Any) -> npt.NDArray[np.float64]:
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> npt.NDArray[np.int64]:
        return (self.decision_function(X) > 0).astype(np.int64)
