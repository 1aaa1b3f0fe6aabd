"""Schedules against independent references: numpy-financial, hand-computed examples, invariants."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puhui.lending.apr import disclose
from puhui.lending.calendar import DueDateRule, chinese_calendar
from puhui.lending.daycount import DayCount, year_fraction
from puhui.lending.errors import InvalidLoanTerms
from puhui.lending.schedule import (
    Amortisation,
    InterestMethod,
    Period,
    ScheduleTerms,
    annuity_payment,
    build_schedule,
    spread,
)

START = date(2026, 3, 2)
CN = chinese_calendar(range(2024, 2027))


@given(
    principal=st.integers(100_00, 10_000_000_00),
    rate_bp=st.integers(1, 3600),
    periods=st.integers(1, 360),
)
def test_annuity_instalment_equals_numpy_financial_pmt_to_the_fen(
    principal: int, rate_bp: int, periods: int
) -> None:
    monthly = Fraction(rate_bp, 10_000 * 12)
    reference = -npf.pmt(rate_bp / 10_000 / 12, periods, principal)
    assert abs(annuity_payment(principal, monthly, periods) - reference) <= 0.5 + 1e-6


def test_equal_principal_hand_computed() -> None:
    # 12,000.00 over 3 months at 12%, ACT/365F, unadjusted: 4,000.00 of principal each month;
    # interest 12,000×0.12×31/365 = 122.30; 8,000×0.12×30/365 = 78.90; 4,000×0.12×31/365 = 40.77
    terms = ScheduleTerms(
        1_200_000,
        Decimal("0.12"),
        date(2026, 3, 1),
        3,
        amortisation=Amortisation.EQUAL_PRINCIPAL,
        due_date_rule=DueDateRule.UNADJUSTED,
    )
    rows = build_schedule(terms).instalments
    assert [r.due for r in rows] == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert [r.principal for r in rows] == [400_000, 400_000, 400_000]
    assert [r.interest for r in rows] == [12_230, 7_890, 4_077]
    assert [r.outstanding_after for r in rows] == [800_000, 400_000, 0]


def test_flat_hand_computed() -> None:
    # 10,000.00 over 4 quarters at 8% flat, 30/360: interest 10,000×0.08×1 = 800.00, 200.00 a
    # quarter; principal 2,500.00 a quarter
    terms = ScheduleTerms(
        1_000_000,
        Decimal("0.08"),
        date(2026, 1, 15),
        4,
        period=Period(months=3),
        interest_method=InterestMethod.FLAT,
        day_count=DayCount.THIRTY_360,
        due_date_rule=DueDateRule.UNADJUSTED,
    )
    rows = build_schedule(terms).instalments
    assert [(r.principal, r.interest) for r in rows] == [(250_000, 20_000)] * 4
    assert rows[-1].due == date(2027, 1, 15)


def test_rounding_remainder_goes_on_the_last_instalment() -> None:
    assert spread(100, 3) == [33, 33, 34]
    assert spread(5, 8) == [0, 0, 0, 0, 0, 0, 0, 5]
    terms = ScheduleTerms(
        100_001, Decimal("0"), START, 3, amortisation=Amortisation.EQUAL_PRINCIPAL
    )
    assert [r.principal for r in build_schedule(terms).instalments] == [33_334, 33_334, 33_333]


def test_grace_periods_pay_interest_only_then_amortise() -> None:
    terms = ScheduleTerms(
        1_200_000, Decimal("0.06"), START, 6, principal_grace_periods=2, fee_per_instalment=500
    )
    rows = build_schedule(terms).instalments
    assert [r.principal for r in rows[:2]] == [0, 0]
    assert all(r.principal > 0 for r in rows[2:])
    assert all(r.fee == 500 for r in rows)
    assert sum(r.principal for r in rows) == 1_200_000


def test_due_dates_move_off_chinese_holidays() -> None:
    assert CN.adjust(date(2026, 10, 1), DueDateRule.FOLLOWING) == date(2026, 10, 8)
    assert CN.adjust(date(2026, 10, 1), DueDateRule.PRECEDING) == date(2026, 9, 30)
    assert CN.adjust(date(2026, 5, 31), DueDateRule.MODIFIED_FOLLOWING) == date(2026, 5, 29)
    assert CN.adjust(date(2026, 2, 28), DueDateRule.FOLLOWING) == date(2026, 2, 28)  # 调休 Saturday
    terms = ScheduleTerms(600_000, Decimal("0.05"), date(2026, 8, 1), 3)
    dues = [r.due for r in build_schedule(terms, CN).instalments]
    assert dues == [date(2026, 9, 1), date(2026, 10, 8), date(2026, 11, 2)]


def test_a_bullet_pays_everything_at_maturity() -> None:
    terms = ScheduleTerms(
        504_000,
        Decimal("0.0365"),
        START,
        1,
        period=Period(days=42),
        amortisation=Amortisation.BULLET,
        due_date_rule=DueDateRule.UNADJUSTED,
    )
    (row,) = build_schedule(terms).instalments
    assert row.due == date(2026, 4, 13)
    assert (row.principal, row.interest) == (504_000, 2_117)  # 504,000×0.0365×42/365 = 2,116.8


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"term_periods": 0}, "term must be 1"),
        ({"annual_rate": Decimal("-0.01")}, "annual rate"),
        ({"principal": 0}, "principal must be positive"),
        ({"principal_grace_periods": 12}, "principal grace"),
        ({"amortisation": Amortisation.BULLET}, "bullet loan has one period"),
        ({"amortisation": Amortisation.CUSTOM, "custom_principal": (1,) * 12}, "sum to 12"),
    ],
)
def test_impossible_terms_are_refused(changes: dict[str, object], fragment: str) -> None:
    base: dict[str, object] = {
        "principal": 1_000_000,
        "annual_rate": Decimal("0.05"),
        "start": START,
        "term_periods": 12,
    }
    with pytest.raises(InvalidLoanTerms, match=fragment):
        build_schedule(ScheduleTerms(**{**base, **changes}))  # type: ignore[arg-type]


terms_strategy = st.builds(
    ScheduleTerms,
    principal=st.integers(1, 50_000_000_00),
    annual_rate=st.decimals(Decimal("0"), Decimal("0.36"), places=4),
    start=st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    term_periods=st.integers(1, 60),
    period=st.sampled_from([Period(months=1), Period(months=3), Period(days=30)]),
    amortisation=st.sampled_from(
        [Amortisation.EQUAL_INSTALMENTS, Amortisation.EQUAL_PRINCIPAL, Amortisation.INTEREST_ONLY]
    ),
    interest_method=st.sampled_from(list(InterestMethod)),
    day_count=st.sampled_from(list(DayCount)),
    due_date_rule=st.sampled_from(list(DueDateRule)),
)


@settings(max_examples=300)
@given(terms_strategy)
def test_schedule_invariants(terms: ScheduleTerms) -> None:
    schedule = build_schedule(terms, CN)
    rows = schedule.instalments
    assert schedule.total_principal == terms.principal
    assert all(r.principal >= 0 and r.interest >= 0 for r in rows)
    assert all(a.due < b.due for a, b in itertools.pairwise(rows))
    assert rows[-1].outstanding_after == 0
    if terms.interest_method is InterestMethod.DECLINING_BALANCE:
        outstanding = terms.principal
        for r in rows:
            exact = outstanding * Fraction(terms.annual_rate)
            exact *= year_fraction(terms.day_count, r.start, r.due)
            assert r.interest == round(exact)
            outstanding -= r.principal


@settings(max_examples=100)
@given(
    principal=st.integers(10_000_00, 10_000_000_00),
    rate_bp=st.integers(100, 2400),
    periods=st.integers(2, 36),
)
def test_apr_of_a_no_fee_loan_is_its_nominal_rate_made_effective(
    principal: int, rate_bp: int, periods: int
) -> None:
    # 30-day periods under ACT/365F: the periodic rate is exactly r×30/365, so the effective
    # annual rate is (1 + r×30/365)^(365/30) − 1; rounding each instalment to the fen moves it
    # by at most about one fen per instalment over the principal, a year being 365/30 periods
    rate = Decimal(rate_bp) / 10_000
    terms = ScheduleTerms(
        principal,
        rate,
        START,
        periods,
        period=Period(days=30),
        due_date_rule=DueDateRule.UNADJUSTED,
    )
    disclosure = disclose(build_schedule(terms))
    effective = (1 + float(rate) * 30 / 365) ** (365 / 30) - 1
    rounding = periods / principal * 365 / 30 + 5e-7  # + half the APR's quantum
    assert abs(float(disclosure.apr) - effective) < rounding
    assert disclosure.total_fees == 0


def test_fees_raise_the_apr_above_the_nominal_rate() -> None:
    terms = ScheduleTerms(1_000_000, Decimal("0.06"), START, 12, fee_per_instalment=1_000)
    plain = disclose(build_schedule(ScheduleTerms(1_000_000, Decimal("0.06"), START, 12)))
    with_fees = disclose(build_schedule(terms), upfront_fee=10_000)
    assert with_fees.apr > plain.apr + Decimal("0.03")
    assert with_fees.total_cost == with_fees.total_interest + 12 * 1_000 + 10_000
