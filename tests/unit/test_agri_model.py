"""Rules of the agri context: templates as data, stage plans, staged vs lump-sum interest,
completion probability, fitting, and the monitoring rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puhui.finance.agri.errors import InvalidTemplate
from puhui.finance.agri.model import (
    BatchFacts,
    completion_bp,
    feed_cost_per_animal_fen,
    fit,
    interest_comparison,
    shipped_templates,
    stage_plan,
)
from puhui.finance.agri.monitoring import CRITICAL, WARNING, FlockDay, assess, next_levels
from puhui.finance.agri.readings import summarise

BROILER, LAYER = shipped_templates()


def test_shipped_broiler_is_the_seeds_flock() -> None:
    assert BROILER.cycle_days == 42 and len(BROILER.stages) == 6
    assert feed_cost_per_animal_fen(BROILER) == 1201  # about RMB 12 of feed a bird
    assert 4_500 < BROILER.feed_g_total() < 5_000  # Ross 308: about 4.7 kg to 42 days
    assert LAYER.species == "laying_hen" and LAYER.weight_g_at(LAYER.cycle_days) == 2_000


def test_the_seeds_figure_from_the_feed_curve() -> None:
    """At 8.7% a lump sum for the cycle's feed costs about RMB 0.12 a bird; staged funding
    about half of it (the seed: RMB 0.06)."""
    cmp = interest_comparison(BROILER, Decimal("0.087"))
    assert cmp.lump_sum_fen_per_animal == Decimal("12.03")
    assert cmp.staged_fen_per_animal == Decimal("5.20")
    assert Decimal("0.4") < cmp.ratio < Decimal("0.55")
    # independent check: each stage's need times its days to the sale
    plan = stage_plan(BROILER, 10_000)
    exact = sum(Decimal(s.need) * (42 - s.draw_age) for s in plan) * Decimal("0.087") / 365
    assert cmp.staged_fen_per_animal == (exact / 10_000).quantize(Decimal("0.01"))


def test_invalid_template_lists_every_problem() -> None:
    data = BROILER.to_json() | {"cycle_days": 40, "stages": [[2, 7]], "mortality_bp": -1}
    with pytest.raises(InvalidTemplate) as caught:
        type(BROILER).from_json(data)
    problems = caught.value.extra["problems"]
    assert "feed_g_per_day needs 40 values" in problems
    assert any("stage [2, 7]" in p for p in problems)
    assert any("mortality_bp" in p for p in problems)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"template_id": None}, "template_id"),
        ({"template_id": ""}, "template_id"),
        ({"cycle_days": "42"}, "cycle_days"),
        ({"feed_g_per_day": ["30"] * 42}, "feed_g_per_day.0"),
        ({"mortaility_bp": 300}, "mortaility_bp"),
        ({"alerts": {}}, "alerts.weight_under_warning_bp"),
        ({"alerts": {**BROILER.alerts, "mortality_critical_bp": "abc"}}, "mortality_critical_bp"),
        ({"alerts": {**BROILER.alerts, "temp_bands_mc": "x"}}, "temp_bands_mc"),
        ({"alerts": {**BROILER.alerts, "temp_bands_mc": [[None, None, None]]}}, "temp_bands_mc"),
        ({"alerts": {**BROILER.alerts, "temp_bands_mc": [[9, 1, 2], [4, 1, 2]]}}, "temp_bands_mc"),
        ({"alerts": {**BROILER.alerts, "temp_bands_mc": [[0, 30000, 20000]]}}, "temp_bands_mc"),
    ],
)
def test_a_template_is_read_strictly(change: dict[str, object], named: str) -> None:
    """Nothing is coerced: a template monitoring cannot read is refused when it is registered,
    not found at a later close of day."""
    with pytest.raises(InvalidTemplate) as caught:
        type(BROILER).from_json(BROILER.to_json() | change)
    assert any(named in p for p in caught.value.extra["problems"])


@given(
    st.lists(st.integers(0, 400), min_size=42, max_size=42),
    st.integers(1, 100_000),
    st.integers(0, 10_000),
)
def test_plan_and_interest_invariants(feed: list[int], animals: int, share: int) -> None:
    t = replace(BROILER, feed_g_per_day=tuple(feed))
    plan = stage_plan(t, animals, share)
    assert all(0 <= s.allowance <= s.need for s in plan)
    assert sum(s.need for s in plan) <= animals * t.feed_g_total() * t.feed_price_fen_per_kg // 1000
    if sum(feed) and animals * sum(feed) >= 1000:
        cmp = interest_comparison(t, Decimal("0.1"), animals)
        assert cmp.staged_fen_per_animal <= cmp.lump_sum_fen_per_animal


def test_completion_shrinks_toward_peers_then_the_template() -> None:
    assert completion_bp((0, 0), (0, 0), 9_000) == 9_000
    assert completion_bp((6, 6), (7, 8), 9_000) == 9_306
    assert completion_bp((0, 4), (7, 8), 9_000) < 7_000
    assert completion_bp((40, 40), (0, 0), 9_000) > 9_750


def test_fit_needs_a_completed_batch() -> None:
    with pytest.raises(InvalidTemplate):
        fit(BROILER, "x", [BatchFacts("b", 20, 100, 0, 50, 0, False)])


def _day(age: int, **kw: object) -> FlockDay:
    placed = date(2026, 3, 1)
    base: dict[str, object] = {
        "flock_id": "f",
        "day": placed + timedelta(days=age),
        "age": age,
        "animals": 10_000,
        "deaths": 0,
        "last_reading_on": placed + timedelta(days=age),
        "placed_on": placed,
        "readings": 100,
        "weight_g_avg": BROILER.weight_g_at(age),
        "temp_mc_min": None,
        "temp_mc_max": None,
    }
    return FlockDay(**(base | kw))  # type: ignore[arg-type]


def _levels(f: FlockDay) -> dict[str, int]:
    return {x.kind: x.level for x in assess(BROILER, f) if x.level}


def test_monitoring_rules() -> None:
    assert _levels(_day(23)) == {}
    under = _day(23, weight_g_avg=BROILER.weight_g_at(23) * 88 // 100)
    (finding,) = [x for x in assess(BROILER, under) if x.level]
    assert finding.level == WARNING
    assert (
        finding.reason == "weight 12.0% under the curve on day 23: 1,033 g against 1,174 g expected"
    )
    assert _levels(_day(23, weight_g_avg=800)) == {"weight": CRITICAL}
    assert _levels(_day(30, deaths=501)) == {"mortality": CRITICAL}
    assert _levels(_day(10, deaths=150)) == {"mortality": WARNING}
    silent = _day(10, last_reading_on=date(2026, 3, 9), weight_g_avg=None)
    assert _levels(silent) == {"silence": WARNING}
    assert _levels(_day(10, temp_mc_min=26_000, temp_mc_max=30_000)) == {}
    assert _levels(_day(10, temp_mc_min=26_000, temp_mc_max=36_000)) == {"temperature": WARNING}


def test_levels_raise_once_and_fall_back_when_clear() -> None:
    warn = assess(BROILER, _day(23, weight_g_avg=1_000))
    levels, raised = next_levels({}, warn)
    assert levels == {"weight": WARNING} and len(raised) == 1
    assert next_levels(levels, warn)[1] == []  # not raised again the next day
    cleared, _ = next_levels(levels, assess(BROILER, _day(24)))
    assert "weight" not in cleared


def test_summarise_raw_readings() -> None:
    raw = [(1, "weight_g", 1000), (2, "weight_g", 1101), (3, "deaths", 2), (4, "temp_mc", 25_000)]
    raw += [(5, "temp_mc", 23_500), (6, "feed_g", 700), (7, "other", 1)]
    row = summarise("f", "d", raw, "doc-1")
    assert row == {
        "flock_id": "f",
        "device_id": "d",
        "readings": 7,
        "weight_samples": 2,
        "deaths": 2,
        "feed_g": 700,
        "weight_g_avg": 1050,
        "temp_mc_min": 23_500,
        "temp_mc_max": 25_000,
        "batch_document_id": "doc-1",
    }
