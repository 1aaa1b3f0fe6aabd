"""Production-model farm loans through the kernel, on SQLite and PostgreSQL: the whole broiler
story (line from the model, six stages paid to the supplier, a warning and a freeze, a review,
the sale split lender-first, a second cycle on the revolved line), the ledger balanced and
replay reproducing the state; and every refusal leaving the state unchanged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from puhui import demo_agri
from puhui.accounts import reports
from puhui.accounts import views as accounts
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.finance.agri import views
from puhui.finance.agri.model import interest_comparison
from puhui.kernel.digest import state_digest
from puhui.kernel.errors import PuhuiError
from puhui.kernel.replay import replay_in_place
from puhui.lending import views as lending
from tests.agri import make_story


def _balanced(platform: Platform) -> None:
    with platform.engine.connect() as conn:
        for trial in reports.trial_balance(conn):
            assert trial.balanced, trial.to_json()
        rec = lending.reconcile(conn, "coop-minhou", "CNY")
    for part in ("principal", "interest", "fee", "penalty"):
        assert rec[f"{part}_loans"] == rec[f"{part}_ledger"], rec


def _cash(platform: Platform, party: str) -> int:
    with platform.engine.connect() as conn:
        return int(accounts.get_account(conn, f"{party}:cash:cny").balance)


@pytest.mark.slow
def test_the_broiler_story_end_to_end(platform: Platform, operator: Identity) -> None:
    story = make_story(platform, operator)
    farm_before = _cash(platform, "farmer-li")
    out = demo_agri.load(platform.kernel, story.ids)

    line = out["line"]
    assert (line["own_batches"], line["own_completed"]) == (6, 6)
    assert (line["peer_batches"], line["peer_completed"]) == (8, 7)
    # peer = (7 + 10*0.9)/18 = 0.8889; completion = (6 + 10*0.8889)/16 = 0.9306
    assert line["completion_bp"] == 9306
    assert line["limit"] == line["cycle_feed_cost"] * 9306 // 10_000
    assert out["alerts"] == [
        "warning: weight 12.0% under the curve on day 23: 1,032 g against 1,174 g expected",
        "critical: mortality 5.8% on day 30 (581 of 10,000) is above 5.0%",
    ]
    assert out["steps"][5].startswith("stage 6 refused: flock-frozen")
    assert "reviewed" in out["steps"][6]
    assert out["steps"][7] == "stage 6 paid to feed-supplier after the review"

    with platform.engine.connect() as conn:
        flock = views.get_flock(conn, "flock-li-1")
        loan = lending.get_loan(conn, "flock-li-1")
        moves = accounts.transfers_by_reference(conn, "loan:flock-li-1")
        second = lending.get_loan(conn, "flock-li-2")
        batches = views.list_batches(conn, "farmer-li")
    assert flock.status == "sold" and flock.stages_drawn == 6 and not flock.frozen
    assert loan.status == "closed" and loan.disbursed == flock.drawn == line["limit"] - 3
    # the loan paid only the feed supplier; the farm got the sale's remainder, not loan cash
    paid = [t for t in moves if t["debit"] == "coop-minhou:cash:cny"]
    assert {t["payee"] for t in paid} == {"feed-supplier"}
    assert sum(t["amount"] for t in paid) == loan.disbursed
    (rest,) = [t for t in moves if t["payee"] == "farmer-li"]
    assert rest["debit"] == "core-poultry:cash:cny"
    sale = out["sale"]
    assert sale["to_lender"] == sale["principal_paid"] + sale["interest_paid"]
    assert sale["principal_paid"] == loan.disbursed
    assert sale["to_lender"] + sale["to_farm"] == sale["amount"]
    assert _cash(platform, "farmer-li") - farm_before == sale["to_farm"]
    assert second.status == "active" and second.disbursed > 0  # the line revolved
    assert [b["batch_id"] for b in batches if b["source"] == "platform"] == ["flock-li-1"]

    # the seed's figure, from the template's feed curve: staged costs about half a lump sum
    cmp = out["interest_per_bird"]
    assert Decimal(cmp["lump_sum_interest_fen_per_animal"]) == Decimal("12.03")
    assert Decimal("0.40") < Decimal(cmp["staged_over_lump_sum"]) < Decimal("0.55")
    # what the loan actually charged: the staged figure on the financed share (93.06%)
    expected = Decimal(cmp["staged_interest_fen_per_animal"]) * Decimal("0.9306")
    assert abs(Decimal(out["interest_paid_fen_per_bird"]) - expected) < Decimal("0.1")

    _balanced(platform)
    with platform.engine.connect() as conn:
        digest = state_digest(conn)
    assert replay_in_place(platform.engine, platform.registry).state_digest == digest


def _refused(platform: Platform, fn: Any, code: str) -> PuhuiError:
    with platform.engine.connect() as conn:
        before = state_digest(conn)
    with pytest.raises(PuhuiError) as caught:
        fn()
    assert caught.value.code == code, caught.value.detail
    with platform.engine.connect() as conn:
        assert state_digest(conn) == before
    return caught.value


def test_clear_errors_change_nothing(platform: Platform, operator: Identity) -> None:
    story = make_story(platform, operator)
    story.set_up()
    story.start("f1")
    plan = views.plan(views.get_flock(platform.engine.connect(), "f1"))
    order = {
        "order_id": "o1",
        "flock_id": "f1",
        "stage": 1,
        "supplier_id": "feed-supplier",
        "amount": plan[0].allowance + 1,
        "feed_kg": plan[0].feed_kg,
    }
    err = _refused(
        platform,
        lambda: story.submit("farmer-li", "agri.order_feed", order, "o1-big"),
        "stage-exceeds-plan",
    )
    assert err.extra["allowance"] == plan[0].allowance
    other = order | {"amount": plan[0].allowance, "supplier_id": "other-feed"}
    _refused(
        platform,
        lambda: story.submit("farmer-li", "agri.order_feed", other, "o1-other"),
        "supplier-not-in-plan",
    )
    early = order | {"stage": 2, "amount": 1}
    _refused(
        platform,
        lambda: story.submit("farmer-li", "agri.order_feed", early, "o1-early"),
        "stage-not-due",
    )
    # the lender cannot bypass the plan by disbursing directly
    tranche = {"loan_id": "f1", "tranche_id": "t1", "amount": 1, "payee_id": "feed-supplier"}
    _refused(
        platform,
        lambda: story.submit("coop-minhou", "lending.disburse", tranche, "direct"),
        "loan-controlled",
    )
    # another farm's device: neither for a flock nor for readings
    story.submit("farmer-wang", "iot.register_device", {"device_id": "w1", "name": "w"}, "w1")
    start = {"flock_id": "f2", "animals": 100, "devices": ["w1"], "template_id": demo_agri.TEMPLATE}
    _refused(
        platform,
        lambda: story.submit("farmer-li", "agri.start_cycle", start, "f2"),
        "device-not-of-farm",
    )
    day = story.today().isoformat()
    row = {"flock_id": "f1", "device_id": "w1", "readings": 1, "deaths": 1}
    readings = {"day": day, "rows": [row]}
    _refused(
        platform,
        lambda: story.submit("farmer-wang", "agri.record_readings", readings, "r-wang"),
        "device-not-of-farm",
    )
    _refused(
        platform,
        lambda: story.submit("farmer-li", "agri.record_readings", readings, "r-li"),
        "device-not-of-farm",
    )
    # drawing while frozen: no readings for three days is critical
    story.draw_stage("f1", 1)
    for _ in range(8):
        story.close_day()
    with platform.engine.connect() as conn:
        flock = views.get_flock(conn, "f1")
        alerts = views.list_alerts(conn, flock_id="f1")
    assert flock.frozen
    assert [(a["kind"], a["severity"]) for a in alerts] == [
        ("silence", "warning"),
        ("silence", "critical"),
    ]
    assert alerts[1]["reason"] == "no readings for 3 days (none since placement)"
    stage2 = order | {"order_id": "o2", "stage": 2, "amount": plan[1].allowance}
    _refused(
        platform,
        lambda: story.submit("farmer-li", "agri.order_feed", stage2, "o2"),
        "flock-frozen",
    )
    review = {"alert_id": alerts[1]["alert_id"], "decision": "release", "note": "ok"}
    _refused(
        platform,
        lambda: story.submit("farmer-li", "agri.review_alert", review, "rv-farm"),
        "not-agri-party",
    )
    story.submit("coop-minhou", "agri.review_alert", review, "rv")
    story.submit("farmer-li", "agri.order_feed", stage2, "o2")
    _balanced(platform)


def test_low_completion_is_refused_with_the_computation(
    platform: Platform, operator: Identity
) -> None:
    story = make_story(platform, operator)
    story.set_up()
    line = {
        "line_id": "line-x",
        "farm_id": "farmer-far",
        "template_id": demo_agri.TEMPLATE,
        "product_id": "agri-feed-cycle",
        "animals": 5_000,
        "annual_rate": "0.087",
        "suppliers": ["feed-supplier"],
        "completion_bp_min": 9_500,
    }
    err = _refused(
        platform,
        lambda: story.submit("coop-minhou", "agri.open_line", line, "line-x"),
        "completion-too-low",
    )
    # no peers in its region: all regions' farms count (li 6/6, wang 7/8)
    assert err.extra["computation"]["peers_scope"] == "all regions"
    assert err.extra["computation"]["peer_batches"] == 14


def test_fitted_template_follows_the_farms_batches(platform: Platform, operator: Identity) -> None:
    story = make_story(platform, operator)
    story.set_up()
    with platform.engine.connect() as conn:
        base = views.get_template(conn, demo_agri.TEMPLATE)
        fitted = views.get_template(conn, "broiler-li-fitted")
    assert fitted.fitted_from == tuple(f"farmer-li-past-{n}" for n in range(1, 7))
    # 36,800 kg for 8,000 birds: 4,600 g a bird against the template's 4,711
    assert 4_570 < fitted.feed_g_total() < 4_630
    assert fitted.mortality_bp == 375  # 300 of 8,000 lost in each batch
    assert fitted.weight_g_at(42) == 2_790  # the final weight the farm achieved
    assert fitted.weight_g_at(21) == round(base.weight_g_at(21) * 2_790 / 2_880)
    cmp = interest_comparison(fitted, Decimal("0.087"))
    assert cmp.staged_fen_per_animal < cmp.lump_sum_fen_per_animal
