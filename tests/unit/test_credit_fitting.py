"""Settings chosen inside the training rows only (``credit.fitting``): the features, C and the
noted cost cutoff depend on nothing outside the rows they are given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from puhui.credit import datasets, fitting, training
from puhui.credit.errors import FeatureInvalid

FAST = (fitting.Candidate(0.3), fitting.Candidate(0.3, min_iv=0.02, max_correlation=0.7))
FEW_ROUNDS = (0, 100)
"""Enough refinement to take part in the choice; the full grid only costs time here."""


def test_select_features_by_iv_then_correlation() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=200)
    woe = pd.DataFrame(
        {"a": a, "a_twin": a + rng.normal(scale=0.01, size=200), "b": rng.normal(size=200)}
        | {"weak": rng.normal(size=200)}
    )
    iv = {"a": 0.30, "a_twin": 0.25, "b": 0.10, "weak": 0.01}
    assert fitting.select_features(iv, woe, fitting.Candidate(1.0)) == list(woe.columns)
    strict = fitting.Candidate(1.0, min_iv=0.02, max_correlation=0.7)
    assert fitting.select_features(iv, woe, strict) == ["a", "b"]  # twin and weak dropped
    none_strong = fitting.Candidate(1.0, min_iv=0.5)
    assert fitting.select_features(iv, woe, none_strong) == ["a"]  # never empty


def test_best_cutoff_minimises_the_five_to_one_cost() -> None:
    y = np.array([0, 0, 0, 0, 1, 1])
    pd_ = np.array([0.05, 0.10, 0.12, 0.30, 0.31, 0.60])
    cut = fitting.best_cutoff(y, pd_)
    assert training.expected_cost(y, pd_, cut) == 0  # cutoffs in [0.30, 0.31) cost nothing
    assert cut == 0.30  # of those on the grid (0.30, 0.305), the nearer to the Bayes 1/6
    assert training.expected_cost(y, pd_, 1 / 6) == 1 / 6  # the good at 0.30 declined
    assert training.expected_cost(y, pd_, 0.35) == 5 / 6  # a bad accepted costs 5
    assert all(
        training.expected_cost(y, pd_, c) >= training.expected_cost(y, pd_, cut)
        for c in fitting.CUTOFF_GRID
    )


def test_recalibration_shrinks_overconfident_pds_only() -> None:
    rng = np.random.default_rng(5)
    z = rng.normal(-1.0, 1.0, 20_000)
    y = (rng.random(z.size) < 1 / (1 + np.exp(-z))).astype(np.int64)
    a, b = fitting.recalibration(y, 1 / (1 + np.exp(-z)))
    assert abs(a) < 0.1 and abs(b - 1) < 0.05  # calibrated: left alone
    a, b = fitting.recalibration(y, 1 / (1 + np.exp(-(2 * z + 1))))
    assert abs(b - 0.5) < 0.03 and abs(a + 0.5) < 0.1  # twice too steep, shifted: undone


@pytest.mark.slow
def test_the_choice_depends_only_on_the_training_rows() -> None:
    data = datasets.german_credit()
    rng = np.random.default_rng(3)
    train = np.sort(rng.choice(len(data.y), 700, replace=False))
    held_out = np.setdiff1d(np.arange(len(data.y)), train)
    chosen = fitting.choose(data, train, FAST, rounds=FEW_ROUNDS)
    # scramble everything outside the training rows: labels flipped, rows shuffled
    X = data.X.copy()
    X.iloc[held_out] = X.iloc[rng.permutation(held_out)].to_numpy()
    y = data.y.copy()
    y[held_out] = 1 - y[held_out]
    other = training.Dataset(data.name, X, y, data.trends, data.feature_version)
    assert fitting.choose(other, train, FAST, rounds=FEW_ROUNDS) == chosen  # recalibration included
    assert chosen.recalibration != (0.0, 1.0)
    # ... whereas other training rows give another inner estimate
    assert fitting.choose(data, held_out, FAST, rounds=FEW_ROUNDS).inner_auc != chosen.inner_auc


@pytest.mark.slow
def test_fit_selected_keeps_the_chosen_features_only() -> None:
    data = datasets.german_credit()
    rows = np.arange(600)
    strict = (fitting.Candidate(0.3, min_iv=0.05, max_correlation=0.5),)
    fitted = fitting.fit_selected(data, rows, strict)
    assert fitted.model.feature_names == fitted.selection.features
    assert 0 < len(fitted.selection.features) < len(data.X.columns)
    assert fitted.selection.to_json()["features"] == list(fitted.selection.features)
    with pytest.raises(FeatureInvalid):
        fitting.choose(data, rows, ())
