"""The scorecard's regression (the mean of the candidates' regressions) and its refinement by
boosted one-characteristic stumps folded into integer points (``credit.averaging``,
``credit.refinement``)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from puhui.credit import datasets, fitting, refinement, training
from puhui.credit.averaging import AveragedLogisticRegression
from puhui.credit.scorecard import BINS_MAX


def test_the_average_of_regressions_is_one_linear_model() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 3))
    y = (rng.random(500) < 1 / (1 + np.exp(-(X[:, 0] - X[:, 2])))).astype(np.int64)
    single = AveragedLogisticRegression((((0, 1, 2), 0.5),)).fit(X, y)
    plain = LogisticRegression(C=0.5, max_iter=1000).fit(X, y)
    assert np.allclose(single.coef_, plain.coef_) and np.allclose(
        single.intercept_, plain.intercept_
    )
    pair = AveragedLogisticRegression((((0, 1, 2), 1.0), ((0, 2), 0.1))).fit(X, y)
    first = pair.members_[0]
    assert pair.coef_[0][1] == pytest.approx(first.coef_[0][1] / 2)  # left out by one: counts 0
    assert np.allclose(
        pair.decision_function(X), np.mean(pair.member_decision_functions(X), axis=0)
    )
    with pytest.raises(ValueError):
        AveragedLogisticRegression(()).fit(X, y)


def _overlapping(rows: int = 3_000, seed: int = 4) -> training.Dataset:
    """Income and the loan-to-income ratio share income: the risk sits in a band of income and
    above a ratio, and the marginal WOE curves, each scaled by one coefficient, draw the
    partial shapes only roughly. A third of the incomes are undeclared; a categorical region."""
    rng = np.random.default_rng(seed)
    income = rng.integers(1_000, 20_000, rows)
    amount = rng.integers(500, 30_000, rows)
    region = rng.choice(["north", "south", "east", "west"], rows)
    logit = (
        -1.0
        + 1.5 * (amount / income > 1.2)
        + 1.2 * ((income > 8_000) & (income < 11_000))
        + 0.6 * (region == "east")
    )
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    declared = rng.random(rows) > 0.3
    X = pd.DataFrame(
        {
            "income": np.where(declared, income, np.nan),
            "amount_to_income_pct": amount * 100 // income,
            "region": region,
        }
    )
    return training.Dataset("overlap", X, y, {"amount_to_income_pct": "ascending"}, "t/1")


@pytest.mark.parametrize("name", ["overlap", "german"])
def test_folded_points_follow_lightgbms_own_routing(name: str) -> None:
    """With a tiny slope the folded points are the stumps' log-odds to 4 decimals: every row's
    score, missing values and categories included, equals LightGBM's raw prediction."""
    data = _overlapping() if name == "overlap" else datasets.german_credit()
    rows = np.arange(len(data.y))
    columns = list(data.X.columns)
    init = np.zeros(len(rows))
    stumps = refinement.fit(data, rows, columns, init, 300)
    zero = training.fit_scorecard(data)  # only its bins are kept: every point set to 0
    plain = json.loads(zero.raw)["characteristics"]
    for c in plain:
        c["points"], c["missing_points"] = [0] * len(c["points"]), 0
    slope = -1e-4
    folded = refinement.fold(plain, stumps, data.X[columns], slope)
    card = training._draft(data, folded)
    contrib = stumps.predict(training.lightgbm_frame(data.X[columns]), pred_contrib=True)
    expected = -contrib[:, :-1].sum(axis=1) / slope  # the bias column is left to calibration
    scores = card.score_batch(training._columns(data.X[columns]))
    assert np.abs(scores + expected).max() <= 0.5 * len(columns)
    assert all(len(c.points) <= BINS_MAX for c in card.characteristics)
    numeric = [c for c in card.characteristics if c.kind == "numeric"]
    assert all(float(s).is_integer() for c in numeric for s in c.splits)


def test_refinement_improves_the_holdout_and_keeps_trends() -> None:
    data = _overlapping()
    train, test = np.arange(2_000), np.arange(2_000, 3_000)
    plain = training.fit_scorecard(data, train)
    refined = training.fit_scorecard(data, train, rounds=400)
    assert refined.raw == training.fit_scorecard(data, train, rounds=400).raw  # deterministic
    X_test, y_test = data.X.iloc[test], data.y[test]
    gain = training.auc(y_test, training.pd_frame(refined, X_test)) - training.auc(
        y_test, training.pd_frame(plain, X_test)
    )
    assert gain > 0.002  # 0.0037 with these seeds
    ratio = next(c for c in refined.characteristics if c.name == "amount_to_income_pct")
    assert list(ratio.points) == sorted(ratio.points, reverse=True)  # ascending risk: fewer points
    shares = json.loads(refined.raw)["characteristics"][0]["training_shares_bp"]
    assert abs(sum(shares) - 10_000) <= len(shares)  # every training row in one bin


@pytest.mark.slow
def test_the_inner_cv_chooses_the_rounds_and_zero_means_none() -> None:
    data = _overlapping(1_500)
    rows = np.arange(1_500)
    one = (fitting.Candidate(0.3),)
    chosen = fitting.choose(data, rows, one)
    assert chosen.rounds in refinement.ROUNDS
    labels = dict(chosen.inner_auc)
    assert set(labels) == {one[0].label} | {f"chosen + {r} rounds" for r in refinement.ROUNDS}
    assert labels[f"chosen + {chosen.rounds} rounds"] >= labels["chosen + 0 rounds"]
    none = fitting.choose(data, rows, one, rounds=(0,))
    assert none.rounds == 0 and "average of all" not in dict(none.inner_auc)
    fitted = fitting.fit_selected(data, rows, one)
    assert (
        fitted.model.raw
        != training.fit_scorecard(
            data,
            rows,
            members=[(fitted.selection.features, 0.3)],
            recalibration=fitted.selection.recalibration,
        ).raw
    )


def test_rounds_are_kept_only_when_their_gain_clears_its_standard_error() -> None:
    none = [0.80, 0.70, 0.75, 0.78, 0.72]
    steady = [a + 0.004 for a in none]  # a small gain in every fold
    lucky = [0.86, 0.66, 0.77, 0.76, 0.70]  # a better mean, from one fold
    assert fitting._rounds_worth_it(np.array([none, steady])) == 1
    assert fitting._rounds_worth_it(np.array([none, lucky])) == 0
    assert fitting._rounds_worth_it(np.array([none, steady, [a + 0.006 for a in none]])) == 2
