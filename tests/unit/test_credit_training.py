"""Training on the shipped public data: a reduced cross-validation (the full 10 × 5 runs in
benchmarks/credit_models.py), deterministic model files, the HTML report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from puhui.credit import datasets, evaluation, fitting, refinement, report, training


@pytest.mark.slow
def test_reduced_cross_validation_on_german_credit() -> None:
    data = datasets.german_credit()
    assert len(data.y) == 1000 and data.y.sum() == 300
    cv = evaluation.cross_validate(data, repeats=1, folds=5)
    assert len(cv.selections) == 5 == len(cv.scorecard) == len(cv.gbm)  # one per training fold
    assert all(s.cutoff in fitting.CUTOFF_GRID for s in cv.selections)
    assert set(cv.mean()) == {"auc", "ks", "cost", "cost_inner_cutoff"}
    card, gbm = cv.mean(), cv.mean("gbm")
    assert card["auc"] > 0.77 and gbm["auc"] > 0.76
    assert card["cost"] < 0.56  # the Statlog project's best published cost was 0.535
    model = training.fit_scorecard(data)
    assert training.fit_scorecard(data).raw == model.raw  # same data → same bytes
    page = report.html_report(report.model_card("g", model, data, cv), model, cv, data.y)
    assert page.count("data:image/png;base64,") == 4 and "http" not in page


@pytest.mark.slow
def test_recalibration_maps_the_platt_log_odds() -> None:
    data = datasets.german_credit()
    rows = np.arange(500)
    plain = training.fit_scorecard(data, rows)
    shrunk = training.fit_scorecard(data, rows, recalibration=(0.2, 0.8))
    assert shrunk.characteristics == plain.characteristics  # the points are untouched
    assert float(shrunk.slope) == pytest.approx(0.8 * float(plain.slope), rel=1e-8)
    assert float(shrunk.intercept) == pytest.approx(0.2 + 0.8 * float(plain.intercept), rel=1e-8)


@pytest.mark.slow
def test_credit_train_writes_the_chosen_settings_in_the_model_card(tmp_path: Path) -> None:
    args = ["credit", "train", "--dataset", "german", "--id", "g-1", "--folds", "3"]
    done = subprocess.run(
        [sys.executable, "-m", "puhui.cli", *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    card = json.loads((tmp_path / "g-1.card.json").read_text())
    model = json.loads((tmp_path / "g-1.scorecard.json").read_text())
    chosen = card["selection"]
    assert chosen["features"] == [c["name"] for c in model["characteristics"]]
    labels = {c.label for c in fitting.CANDIDATES}
    assert {m["candidate"] for m in chosen["members"]} <= labels
    assert len(chosen["members"]) in (1, len(fitting.CANDIDATES))  # one, or the average of all
    assert chosen["refinement_rounds"] in refinement.ROUNDS
    assert chosen["cost_cutoff"] in fitting.CUTOFF_GRID
    assert set(chosen["inner_auc"]) == labels | {"average of all"} | {
        f"chosen + {r} rounds" for r in refinement.ROUNDS
    }


def test_a_missing_value_scores_with_its_own_bins_woe() -> None:
    rng = np.random.default_rng(11)
    rows = 2_000
    income = rng.integers(1_000, 10_000, rows).astype("float64")
    unknown = rng.random(rows) < 0.2
    # the undeclared incomes are the riskiest applicants; otherwise more income, less risk
    bad_rate = np.where(unknown, 0.6, 0.4 - income / 40_000)
    y = (rng.random(rows) < bad_rate).astype(np.int64)
    income[unknown] = np.nan
    X = pd.DataFrame({"income": income, "noise": rng.integers(0, 100, rows)})
    data = training.Dataset("t", X, y, {"income": "descending"}, "t/1")
    card = training.fit_scorecard(data).characteristics[0]
    assert card.name == "income"
    assert card.missing_points < min(card.points)  # not the average applicant's points
    process = training.fit_binning(data, np.arange(rows))
    _, woe = fitting._iv_and_woe(process, X)  # the inner CV's WOE: the same rule
    assert (woe["income"][unknown] < woe["income"][~unknown].min()).all()
