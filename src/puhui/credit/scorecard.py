"""The scorecard as data, and scoring as a pure function of (model bytes, feature values).

A model file is RFC 8785 JSON (``puhui-scorecard/1``): per characteristic its bins — numeric
splits (bin ``i`` holds ``splits[i-1] <= x < splits[i]``, as optbinning bins) or groups of
categories — with **integer points**, points for a missing value, the labels of its reason
codes, and a calibration ``PD = 1 / (1 + exp(-(intercept + slope * score)))``.

Why this is exact on every machine: feature values are integers or strings; comparing an int
with a float split is exact in Python and in numpy (values stay below 2**53); points are
integers, so the score is an integer sum; the PD is computed with ``Decimal`` (whose ``exp`` is
correctly rounded) at a fixed precision and quantized once, half-even. No float arithmetic
touches a decision. The batch path (numpy) looks the same integers up and takes the PD from a
table computed by the same Decimal function, so batch and single scores are identical.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from functools import cached_property
from typing import TYPE_CHECKING, Any

from puhui.credit.errors import FeatureInvalid, ModelInvalid
from puhui.credit.features import Value, label_of
from puhui.kernel.canonical import CanonicalizationError, canonical_json

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

FORMAT = "puhui-scorecard/1"
PD_QUANTUM = Decimal("0.000001")
DECIMAL_PRECISION = 34
REASONS_MAX = 4
CHARACTERISTICS_MAX = 200
BINS_MAX = 64
SAFE_INTEGER_MAX = 2**53 - 1


@dataclass(frozen=True)
class Characteristic:
    name: str
    kind: str
    """``numeric`` (``splits``) or ``categorical`` (``groups``)."""
    splits: tuple[float, ...]
    groups: tuple[frozenset[str], ...]
    points: tuple[int, ...]
    missing_points: int
    labels: tuple[str, ...]
    """How each bin reads in a reason code (``"< 8.5"``, ``"A, B"``)."""

    @property
    def best_points(self) -> int:
        return max(*self.points, self.missing_points)

    def bin_of(self, value: Value) -> int | None:
        """Index of the value's bin; None for missing (or an unseen category)."""
        if value is None:
            return None
        if self.kind == "numeric":
            if isinstance(value, bool) or not isinstance(value, int):
                raise FeatureInvalid(f"{self.name} must be an integer, got {value!r}")
            if abs(value) > SAFE_INTEGER_MAX:
                raise FeatureInvalid(f"{self.name} is outside ±(2**53-1)")
            return bisect_right(self.splits, value)
        if not isinstance(value, str):
            raise FeatureInvalid(f"{self.name} must be a category string, got {value!r}")
        for i, group in enumerate(self.groups):
            if value in group:
                return i
        return None

    def points_of(self, value: Value) -> int:
        index = self.bin_of(value)
        return self.missing_points if index is None else self.points[index]


@dataclass(frozen=True)
class Reason:
    feature: str
    value: Value
    points: int
    points_below_best: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "value": self.value,
            "points": self.points,
            "points_below_best": self.points_below_best,
            "text": self.text,
        }


@dataclass(frozen=True)
class Scored:
    score: int
    pd: Decimal
    points: dict[str, int]
    reasons: tuple[Reason, ...]


def _parse_characteristic(raw: Mapping[str, Any]) -> Characteristic:
    name, kind = str(raw["name"]), raw["kind"]
    points = tuple(int(p) for p in raw["points"])
    if not 0 < len(points) <= BINS_MAX:
        raise ModelInvalid(f"{name}: 1-{BINS_MAX} bins expected")
    if kind == "numeric":
        splits = tuple(float(s) for s in raw["splits"])
        if list(splits) != sorted(set(splits)) or len(splits) != len(points) - 1:
            raise ModelInvalid(f"{name}: splits must be increasing, one fewer than bins")
        groups: tuple[frozenset[str], ...] = ()
    elif kind == "categorical":
        splits = ()
        groups = tuple(frozenset(str(c) for c in g) for g in raw["groups"])
        if len(groups) != len(points):
            raise ModelInvalid(f"{name}: one group of categories per bin expected")
    else:
        raise ModelInvalid(f"{name}: kind must be numeric or categorical")
    labels = tuple(str(x) for x in raw["labels"])
    if len(labels) != len(points):
        raise ModelInvalid(f"{name}: one label per bin expected")
    return Characteristic(name, kind, splits, groups, points, int(raw["missing_points"]), labels)


class Scorecard:
    """A parsed ``puhui-scorecard/1`` model. Build with ``Scorecard.from_bytes``."""

    def __init__(self, doc: Mapping[str, Any], raw: bytes) -> None:
        self.doc = doc
        self.raw = raw
        self.feature_version = str(doc["feature_version"])
        chars = doc["characteristics"]
        if not 0 < len(chars) <= CHARACTERISTICS_MAX:
            raise ModelInvalid(f"a scorecard has 1-{CHARACTERISTICS_MAX} characteristics")
        self.characteristics = tuple(_parse_characteristic(c) for c in chars)
        cal = doc["calibration"]
        self.intercept = Decimal(str(cal["intercept"]))
        self.slope = Decimal(str(cal["slope"]))

    @classmethod
    def from_bytes(cls, raw: bytes) -> Scorecard:
        try:
            doc = json.loads(raw)
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise ModelInvalid(f"not a {FORMAT} model file")
            return cls(doc, raw)
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelInvalid(f"not a valid {FORMAT} model: {exc}") from exc

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.characteristics)

    @cached_property
    def score_range(self) -> tuple[int, int]:
        low = sum(min(*c.points, c.missing_points) for c in self.characteristics)
        return low, sum(c.best_points for c in self.characteristics)

    def pd_of(self, score: int) -> Decimal:
        """Probability of default of a score: Decimal, exact and identical on every machine."""
        with localcontext() as ctx:
            ctx.prec = DECIMAL_PRECISION
            z = self.intercept + self.slope * Decimal(score)
            pd = Decimal(1) / (Decimal(1) + (-z).exp())
            return pd.quantize(PD_QUANTUM, rounding=ROUND_HALF_EVEN)

    def score(self, values: Mapping[str, Value]) -> Scored:
        missing = [c.name for c in self.characteristics if c.name not in values]
        if missing:
            raise FeatureInvalid(f"features missing from the input: {', '.join(missing)}")
        points = {c.name: c.points_of(values[c.name]) for c in self.characteristics}
        total = sum(points.values())
        return Scored(total, self.pd_of(total), points, self.reasons(values, points))

    def reasons(self, values: Mapping[str, Value], points: Mapping[str, int]) -> tuple[Reason, ...]:
        """The characteristics that cost the most points against their best bin, in plain words."""
        gaps = [(c.best_points - points[c.name], i, c) for i, c in enumerate(self.characteristics)]
        gaps.sort(key=lambda g: (-g[0], g[1]))
        out = []
        for gap, _i, c in gaps[:REASONS_MAX]:
            if gap <= 0:
                break
            value = values[c.name]
            index = c.bin_of(value)
            band = "missing or unknown" if index is None else c.labels[index]
            text = f"{label_of(c.name)}: {band} ({gap} points below the best band)"
            out.append(Reason(c.name, value, points[c.name], gap, text))
        return tuple(out)

    # ---- batch ------------------------------------------------------------------------------

    @cached_property
    def _pd_table(self) -> list[Decimal]:
        low, high = self.score_range
        return [self.pd_of(s) for s in range(low, high + 1)]

    def score_batch(self, columns: Mapping[str, Sequence[Value]]) -> npt.NDArray[np.int64]:
        """Scores of many applicants (columns of values); identical to ``score`` one by one."""
        import numpy as np

        n = len(next(iter(columns.values())))
        total = np.zeros(n, dtype=np.int64)
        for c in self.characteristics:
            total += _points_column(c, columns[c.name], n)
        return total

    def pd_batch(self, scores: npt.NDArray[np.int64]) -> list[Decimal]:
        low = self.score_range[0]
        table = self._pd_table
        return [table[int(s) - low] for s in scores]


def _points_column(c: Characteristic, column: Sequence[Value], n: int) -> npt.NDArray[np.int64]:
    import numpy as np

    table = np.array([*c.points, c.missing_points], dtype=np.int64)
    arr = np.asarray(column)
    if c.kind == "numeric" and arr.dtype.kind in "iu":
        return table[np.searchsorted(np.array(c.splits), arr, side="right")]
    if c.kind == "numeric" and arr.dtype.kind == "f":  # NaN marks missing in a float column
        index = np.searchsorted(np.array(c.splits), arr, side="right")
        index[np.isnan(arr)] = len(c.points)
        return table[index]
    index_of = {cat: i for i, g in enumerate(c.groups) for cat in g}
    codes = [len(c.points) if v is None else _index(c, v, index_of) for v in column]
    return table[np.array(codes, dtype=np.int64)] if n else table[:0]


def _index(c: Characteristic, value: Value, index_of: Mapping[str, int]) -> int:
    if c.kind == "numeric":
        found = c.bin_of(value)
        return len(c.points) if found is None else found
    return index_of.get(str(value), len(c.points))


def model_bytes(doc: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a model document: what is hashed and registered."""
    try:
        return canonical_json(dict(doc))
    except CanonicalizationError as exc:
        raise ModelInvalid(f"model is not canonical JSON: {exc}") from exc
