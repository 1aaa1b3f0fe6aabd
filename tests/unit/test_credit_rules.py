"""Credit rules without a store: features see nothing after the as-of date, scoring is exact
(batch = single), PD is a pure Decimal function, policy rules, tax figures, clear errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puhui.credit import features, policy, tax
from puhui.credit.errors import FeatureInvalid, ModelInvalid
from puhui.credit.features import Invoice, Record, Sale
from puhui.credit.monitoring import psi
from puhui.credit.production_facts import PRODUCTION_FIELDS, Cycle
from puhui.credit.receivable_facts import RECEIVABLE_FIELDS, Holding, Receivable
from puhui.credit.scorecard import Scorecard, model_bytes
from tests.credit_support import policy as policy_body
from tests.credit_support import scorecard_doc

AS_OF = date(2026, 3, 2)
days = st.integers(-800, 400).map(lambda n: AS_OF + timedelta(days=n))
invoices = st.builds(
    Invoice,
    days,
    days,
    st.sampled_from(["B1", "B2", "B3"]),
    st.integers(1, 10**9),
    st.none() | days,
)
sales = st.builds(Sale, days, days, st.integers(1, 10**9))


@st.composite
def cycles(draw: st.DrawFn) -> Cycle:
    placed = draw(days)
    animals = draw(st.integers(1, 50_000))
    return Cycle(
        placed_on=placed,
        ended_on=placed + timedelta(days=draw(st.integers(1, 60))),
        registered_on=draw(days),
        completed=draw(st.booleans()),
        animals_placed=animals,
        animals_sold=draw(st.integers(0, animals)),
        mortality_expected_bp=draw(st.none() | st.integers(0, 2_000)),
        monitored=draw(st.booleans()),
    )


@st.composite
def receivables(draw: st.DrawFn) -> Receivable:
    issued = draw(days)
    closed = draw(st.none() | st.integers(0, 400).map(lambda n: issued + timedelta(days=n)))
    outcome = None if closed is None else draw(st.sampled_from(["settled", "rejected", "lapsed"]))
    return Receivable(
        issued_on=issued,
        maturity_date=issued + timedelta(days=draw(st.integers(1, 365))),
        amount_fen=draw(st.integers(1, 10**10)),
        closed_on=closed,
        outcome=outcome,
    )


@st.composite
def holdings(draw: st.DrawFn) -> Holding:
    start = draw(days)
    until = draw(st.none() | st.integers(0, 400).map(lambda n: start + timedelta(days=n)))
    return Holding(start, until, draw(st.integers(1, 10**10)))


def _open_on_as_of(r: Receivable) -> Receivable:
    """What was known of the receivable on the as-of date: an outcome after it is not."""
    known = r.closed_on is None or r.closed_on <= AS_OF
    return r if known else replace(r, closed_on=None, outcome=None)


def _held_on_as_of(h: Holding) -> Holding:
    """What was known of the holding on the as-of date: an end after it is not."""
    return h if h.held_until is None or h.held_until <= AS_OF else replace(h, held_until=None)


def _after_as_of(c: Cycle, registered: bool) -> Cycle:
    """The same cycle, ended (or reached the log) after the as-of date."""
    later = AS_OF + timedelta(days=1)
    if registered:
        return replace(c, registered_on=max(c.registered_on, later))
    shift = max(timedelta(0), later - c.ended_on)
    return replace(c, placed_on=c.placed_on + shift, ended_on=c.ended_on + shift)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(invoices, max_size=30),
    st.lists(sales, max_size=10),
    st.lists(invoices, max_size=10),
    st.lists(cycles(), max_size=10),
    st.lists(cycles(), max_size=10),
    st.lists(receivables(), max_size=10),
    st.lists(holdings(), max_size=10),
)
def test_no_feature_sees_a_fact_after_the_as_of_date(
    known: list[Invoice],
    sold: list[Sale],
    later: list[Invoice],
    farmed: list[Cycle],
    later_cycles: list[Cycle],
    owed: list[Receivable],
    held: list[Holding],
) -> None:
    """Adding facts that happened, or reached the log, after the as-of date changes nothing;
    nor does how a receivable closed after it."""
    future = [
        Invoice(
            max(i.issued_on, AS_OF + timedelta(days=1)),
            i.registered_on,
            i.buyer,
            i.amount_fen,
            i.confirmed_on,
        )
        for i in later
    ] + [
        Invoice(i.issued_on, max(i.registered_on, AS_OF + timedelta(days=1)), i.buyer, i.amount_fen)
        for i in later
    ]
    future_cycles = [
        _after_as_of(c, registered) for c in later_cycles for registered in (False, True)
    ]
    future_owed = [replace(r, issued_on=max(r.issued_on, AS_OF + timedelta(days=1))) for r in owed]
    later_held = [replace(h, held_from=max(h.held_from, AS_OF + timedelta(days=1))) for h in held]
    base = Record(
        "a",
        tuple(known),
        tuple(sold),
        tuple(farmed),
        tuple(map(_open_on_as_of, owed)),
        tuple(map(_held_on_as_of, held)),
    )
    more = Record(
        "a",
        tuple(known + future),
        tuple(sold),
        tuple(farmed + future_cycles),
        tuple(owed + future_owed),
        tuple(held + later_held),
    )
    assert features.compute(base, AS_OF) == features.compute(more, AS_OF)


def test_a_confirmation_after_the_as_of_date_does_not_count() -> None:
    inv = Invoice(AS_OF, AS_OF, "B1", 100, confirmed_on=AS_OF + timedelta(days=1))
    values = features.compute(Record("a", (inv,)), AS_OF)
    assert values["invoice_confirmed_share_bp"] == 0
    assert (
        features.compute(Record("a", (inv,)), AS_OF + timedelta(days=1))[
            "invoice_confirmed_share_bp"
        ]
        == 10_000
    )


def test_invoice_features_in_named_units() -> None:
    invs = [
        Invoice(AS_OF - timedelta(days=10), AS_OF, "B1", 300),
        Invoice(AS_OF - timedelta(days=40), AS_OF, "B2", 100),
        Invoice(AS_OF - timedelta(days=200), AS_OF, "B1", 200),
    ]
    v = features.compute(Record("a", tuple(invs)), AS_OF)
    assert v["invoice_volume_12m_fen"] == 600 and v["invoice_count_12m"] == 3
    assert v["invoice_growth_bp"] == (400 - 200) * 10_000 // 200
    assert v["buyer_concentration_bp"] == (500**2 + 100**2) * 10_000 // 600**2
    assert v["tax_rating"] == "none" and v["tax_revenue_12m_fen"] is None


def test_receivable_features_in_named_units() -> None:
    def owed(
        issued: int, matures: int, fen: int, closed: int | None, outcome: str | None
    ) -> Receivable:
        on = None if closed is None else AS_OF - timedelta(days=closed)
        return Receivable(
            AS_OF - timedelta(days=issued), AS_OF - timedelta(days=matures), fen, on, outcome
        )

    held = (
        Holding(AS_OF - timedelta(days=40), None, 700),  # held today
        Holding(AS_OF - timedelta(days=40), AS_OF, 300),  # split or passed on today
        Holding(AS_OF, AS_OF + timedelta(days=9), 50),  # received today
    )
    v = features.compute(
        Record(
            "s",
            holdings=held,
            receivables=(
                owed(200, 20, 1_000, 20, "settled"),  # paid on its maturity date
                owed(200, 30, 3_000, 10, "settled"),  # paid 20 days late
                owed(100, 5, 4_000, None, None),  # overdue: not paid
                owed(100, 60, 9_000, 90, "rejected"),  # refused: never a debt
                owed(30, -60, 2_000, None, None),  # not yet due
                owed(400, -10, 5_000, None, None),  # issued over 12 months ago, not yet due
            ),
        ),
        AS_OF,
    )
    assert v["receivables_held_fen"] == 700 + 50
    assert v["receivables_confirmed_12m_fen"] == 1_000 + 3_000 + 4_000 + 2_000
    assert v["receivables_paid_on_time_share_bp"] == 1_000 * 10_000 // (1_000 + 3_000 + 4_000)
    none_due = features.compute(
        Record("s", receivables=(owed(30, -60, 2_000, None, None),), holdings=()), AS_OF
    )
    assert none_due["receivables_paid_on_time_share_bp"] is None
    assert all(features.compute(Record("s"), AS_OF)[n] is None for n in RECEIVABLE_FIELDS)


def test_production_features_in_named_units() -> None:
    def cycle(
        ended_days_ago: int,
        completed: bool,
        placed: int,
        sold: int,
        mortality_expected_bp: int | None = 500,
        monitored: bool = False,
    ) -> Cycle:
        ended = AS_OF - timedelta(days=ended_days_ago)
        start = ended - timedelta(days=42)
        return Cycle(start, ended, ended, completed, placed, sold, mortality_expected_bp, monitored)

    farm = (
        cycle(10, True, 10_000, 9_400, monitored=True),  # 600 deaths, 500 expected
        cycle(100, True, 10_000, 9_600),  # 400 deaths, 500 expected
        cycle(200, True, 5_000, 4_000, mortality_expected_bp=None),  # no template: not rated
        cycle(300, False, 10_000, 2_000, monitored=True),  # lost
        cycle(4 * 365, True, 10_000, 5_000),  # ended before the 3-year window
    )
    v = features.compute(Record("f", cycles=farm), AS_OF)
    assert v["farm_cycles_completed_36m"] == 3 and v["farm_cycles_failed_36m"] == 1
    assert v["farm_cycles_monitored_36m"] == 2
    assert v["farm_mortality_vs_template_bp"] == (600 + 400) * 10_000 // (500 + 500)
    empty = features.compute(Record("f", cycles=()), AS_OF)
    assert empty["farm_cycles_completed_36m"] == 0
    assert empty["farm_mortality_vs_template_bp"] is None
    unshared = features.compute(Record("f"), AS_OF)
    assert all(unshared[name] is None for name in PRODUCTION_FIELDS)


CARD = Scorecard.from_bytes(model_bytes(scorecard_doc()))
values = st.fixed_dictionaries(
    {
        "invoice_volume_12m_fen": st.none() | st.integers(0, 2**53 - 1),
        "buyer_concentration_bp": st.none() | st.integers(0, 10_000),
        "tax_rating": st.none() | st.sampled_from(["A", "B", "M", "C", "D", "none", "Z"]),
        "late_instalments_24m": st.none() | st.integers(0, 50),
    }
)


@settings(max_examples=100, deadline=None)
@given(st.lists(values, min_size=1, max_size=20))
def test_batch_scores_equal_single_scores(rows: list[dict[str, object]]) -> None:
    columns = {name: [r[name] for r in rows] for name in rows[0]}
    batch = CARD.score_batch(columns)  # type: ignore[arg-type]
    single = [CARD.score(r) for r in rows]  # type: ignore[arg-type]
    assert [int(s) for s in batch] == [s.score for s in single]
    assert CARD.pd_batch(batch) == [s.pd for s in single]


def test_score_pd_and_reasons_are_exact() -> None:
    scored = CARD.score(
        {
            "invoice_volume_12m_fen": 5_000_000,
            "buyer_concentration_bp": 8000,
            "tax_rating": "B",
            "late_instalments_24m": 0,
        }
    )
    assert scored.score == 40 + 20 + 50 + 60
    assert scored.pd == Decimal("0.437823")  # 1 / (1 + e^0.25): z = 4 - 0.025 * 170
    assert [r.feature for r in scored.reasons] == [
        "buyer_concentration_bp",
        "invoice_volume_12m_fen",
        "tax_rating",
    ]
    assert scored.reasons[0].text.startswith("Concentration of sales on few buyers (HHI): one")


def test_bad_inputs_give_clear_errors() -> None:
    with pytest.raises(FeatureInvalid, match="features missing from the input: tax_rating"):
        CARD.score(
            {"invoice_volume_12m_fen": 1, "buyer_concentration_bp": 1, "late_instalments_24m": 0}
        )
    with pytest.raises(FeatureInvalid, match="must be an integer"):
        CARD.score(
            {
                "invoice_volume_12m_fen": 1.5,
                "buyer_concentration_bp": 1,
                "tax_rating": "A",
                "late_instalments_24m": 0,
            }
        )
    with pytest.raises(ModelInvalid, match="not a puhui-scorecard/1"):
        Scorecard.from_bytes(b'{"format": "pickle"}')
    broken = scorecard_doc()
    broken["characteristics"][0]["splits"] = ["5.0", "1.0"]
    with pytest.raises(ModelInvalid, match="splits must be increasing"):
        Scorecard.from_bytes(model_bytes(broken))
    with pytest.raises(ValueError, match=r"decline_tax_ratings\.0"):  # "d" would decline no one
        policy.Policy.model_validate(policy_body(decline_tax_ratings=["d"]))
    with pytest.raises(ValueError, match="highest first"):
        policy.Policy.model_validate(
            policy_body(
                limit_bands=[{"score_min": 100, "limit_fen": 1}, {"score_min": 200, "limit_fen": 2}]
            )
        )


def test_policy_rules_as_data() -> None:
    rules = policy.Policy.model_validate(policy_body())
    approve = policy.apply(rules, 230, Decimal("0.02"), {"tax_rating": "A"})
    assert (approve.outcome, approve.limit_fen, approve.rate) == (
        "approve",
        50_000_000,
        Decimal("0.0540"),
    )
    assert policy.apply(rules, 230, Decimal("0.02"), {"tax_rating": "D"}).outcome == "decline"
    late = policy.apply(rules, 230, Decimal("0.02"), {"current_dpd_days_max": 91})
    assert late.outcome == "refer" and "91 days past due" in late.policy_reasons[0]
    assert policy.apply(rules, 120, Decimal("0.02"), {}).outcome == "refer"
    assert policy.apply(rules, 99, Decimal("0.02"), {}).outcome == "decline"
    pricey = policy.apply(rules, 230, Decimal("0.5"), {})
    assert pricey.outcome == "refer" and pricey.rate == rules.rate_cap


def test_tax_figures_as_of_a_date() -> None:
    filings = [
        tax.Filing(date(2025, m, 1), date(2025, m, 28), date(2025, m + 1, 10), 1000, 30, 10)
        for m in range(1, 12)
    ]
    ratings = [tax.Rating(2024, "B", date(2025, 4, 1)), tax.Rating(2025, "A", date(2026, 4, 1))]
    v = tax.compute(filings, ratings, date(2026, 3, 2))
    # periods ending 2025-03-28 .. 2025-11-28 fall in (2025-03-02, 2026-03-02]: nine months
    assert v["tax_revenue_12m_fen"] == 9_000 and v["tax_paid_12m_fen"] == 360
    assert v["tax_filing_months_12m"] == 9 and v["tax_rating"] == "B"  # A is issued later
    assert tax.compute(filings, ratings, date(2025, 3, 1))["tax_revenue_12m_fen"] == 1000


def test_psi() -> None:
    assert psi([0.25] * 4, [25, 25, 25, 25]) == 0
    assert psi([0.25] * 4, [100, 0, 0, 0]) > 0.25
