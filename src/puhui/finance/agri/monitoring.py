"""The monitoring rules: a flock's day compared with its template, as alerts with a severity and
a plain-language reason. Pure functions of integers (the close-of-day hook feeds them).

Kinds and levels (thresholds are the template's ``alerts``):

* ``weight``: the day's average weight under the curve by the warning / critical share;
* ``mortality``: deaths so far above the critical share (critical), or above the template's
  expectation for the age by the warning factor and at least 1% (warning);
* ``silence``: no readings for the warning / critical number of days;
* ``temperature``: the house outside the template's band for the age (warning).

An alert of a kind is raised when its level is above the level already raised for the flock;
the level falls back when the condition clears, so a relapse is raised again. A critical alert
freezes the flock's next stage until the lender reviews it (a review does not lower the level:
the same condition, acknowledged, is not raised again every day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from puhui.finance.agri.model import BP, Template

WARNING, CRITICAL = 1, 2
SEVERITY = {WARNING: "warning", CRITICAL: "critical"}
MORTALITY_WARNING_FLOOR_BP = 100


@dataclass(frozen=True)
class FlockDay:
    """What the close of day knows of one flock on ``day``."""

    flock_id: str
    day: date
    age: int
    animals: int
    deaths: int
    last_reading_on: date | None
    placed_on: date
    readings: int
    weight_g_avg: int | None
    temp_mc_min: int | None
    temp_mc_max: int | None


@dataclass(frozen=True)
class Finding:
    kind: str
    level: int
    reason: str
    figures: dict[str, Any]


def pct(bp: int) -> str:
    """Basis points as a percentage with one decimal, without floats: 1234 → '12.3'."""
    return f"{bp // 100}.{bp % 100 // 10}"


def _degrees(mc: int) -> str:
    return f"{mc // 1000}.{abs(mc) % 1000 // 100}"


def _weight(t: Template, f: FlockDay) -> Finding | None:
    if f.weight_g_avg is None:
        return None
    expected = t.weight_g_at(f.age)
    if expected <= 0 or f.weight_g_avg >= expected:
        return Finding("weight", 0, "", {})
    under_bp = (expected - f.weight_g_avg) * BP // expected
    a = t.alerts
    level = (
        CRITICAL
        if under_bp >= a["weight_under_critical_bp"]
        else WARNING
        if under_bp >= a["weight_under_warning_bp"]
        else 0
    )
    reason = (
        f"weight {pct(under_bp)}% under the curve on day {f.age}: "
        f"{f.weight_g_avg:,} g against {expected:,} g expected"
    )
    figures = {"weight_g_avg": f.weight_g_avg, "expected_g": expected, "under_bp": under_bp}
    return Finding("weight", level, reason, figures)


def _mortality(t: Template, f: FlockDay) -> Finding:
    rate_bp = f.deaths * BP // f.animals
    expected = t.expected_mortality_bp(f.age)
    a = t.alerts
    figures = {"deaths": f.deaths, "mortality_bp": rate_bp, "expected_bp": expected}
    if rate_bp > a["mortality_critical_bp"]:
        reason = (
            f"mortality {pct(rate_bp)}% on day {f.age} ({f.deaths:,} of {f.animals:,}) "
            f"is above {pct(a['mortality_critical_bp'])}%"
        )
        return Finding("mortality", CRITICAL, reason, figures)
    warn_bp = max(
        expected * a["mortality_warning_pct_of_expected"] // 100, MORTALITY_WARNING_FLOOR_BP
    )
    if rate_bp > warn_bp:
        reason = (
            f"mortality {pct(rate_bp)}% on day {f.age} is above the {pct(expected)}% "
            "the template expects by now"
        )
        return Finding("mortality", WARNING, reason, figures)
    return Finding("mortality", 0, "", figures)


def _silence(t: Template, f: FlockDay) -> Finding:
    since = f.last_reading_on or f.placed_on
    days = (f.day - since).days
    a = t.alerts
    level = (
        CRITICAL
        if days >= a["silent_days_critical"]
        else WARNING
        if days >= a["silent_days_warning"]
        else 0
    )
    last = f"last on {f.last_reading_on}" if f.last_reading_on else "none since placement"
    return Finding("silence", level, f"no readings for {days} days ({last})", {"days": days})


def _temperature(t: Template, f: FlockDay) -> Finding | None:
    band = t.temp_band_mc(f.age)
    if band is None or f.temp_mc_min is None or f.temp_mc_max is None:
        return None
    low, high = band
    if f.temp_mc_min >= low and f.temp_mc_max <= high:
        return Finding("temperature", 0, "", {})
    worst = f.temp_mc_max if f.temp_mc_max > high else f.temp_mc_min
    reason = (
        f"house temperature {_degrees(worst)} °C outside the {_degrees(low)}-{_degrees(high)} °C "
        f"band on day {f.age}"
    )
    figures = {"temp_mc_min": f.temp_mc_min, "temp_mc_max": f.temp_mc_max, "band_mc": [low, high]}
    return Finding("temperature", WARNING, reason, figures)


def assess(t: Template, f: FlockDay) -> list[Finding]:
    """Every kind evaluated today (level 0 = evaluated and fine)."""
    found = [_weight(t, f), _mortality(t, f), _silence(t, f), _temperature(t, f)]
    return [x for x in found if x is not None]


def next_levels(
    levels: dict[str, int], findings: list[Finding]
) -> tuple[dict[str, int], list[Finding]]:
    """The flock's levels after today and the findings to raise as alerts."""
    new = dict(levels)
    raised = []
    for finding in findings:
        held = levels.get(finding.kind, 0)
        if finding.level > held:
            raised.append(finding)
            new[finding.kind] = finding.level
        elif held and finding.level == 0:
            new.pop(finding.kind, None)
    return new, raised
