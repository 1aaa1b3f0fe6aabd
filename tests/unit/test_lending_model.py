"""The integer accrual of the close of day equals the exact rule; rounding with the carry is
half-even; products list every impossible option; re-amortisation keeps the parts summing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puhui.lending.daycount import DayCount
from puhui.lending.errors import InvalidLoanTerms, InvalidProduct
from puhui.lending.model import (
    ACCRUAL_DENOMINATOR,
    RATE_SCALE,
    Product,
    day_weight,
    rate_e8,
    round_with_carry,
)
from puhui.lending.rules import accrue_day
from puhui.lending.schedule import (
    Amortisation,
    ScheduleTerms,
    build_schedule,
    proportional,
    schedule_on_dates,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
rates = st.integers(0, 5 * RATE_SCALE).map(lambda n: Decimal(n) / RATE_SCALE)


@given(
    st.integers(0, 10**12),
    rates,
    st.sampled_from(list(DayCount)),
    days,
    st.integers(0, ACCRUAL_DENOMINATOR - 1),
)
def test_integer_accrual_equals_the_exact_rule(
    balance: int, rate: Decimal, convention: DayCount, day: date, carry: int
) -> None:
    posted, left = divmod(
        balance * rate_e8(rate) * day_weight(convention, day) + carry, ACCRUAL_DENOMINATOR
    )
    exact = accrue_day(
        balance, Fraction(rate), convention, day, Fraction(carry, ACCRUAL_DENOMINATOR)
    )
    assert posted == exact.posted
    assert Fraction(left, ACCRUAL_DENOMINATOR) == exact.carry
    assert 0 <= left < ACCRUAL_DENOMINATOR < 2**53


@given(st.integers(0, 10**9), st.integers(0, ACCRUAL_DENOMINATOR - 1))
def test_rounding_with_the_carry_is_half_even(posted: int, carry: int) -> None:
    assert round_with_carry(posted, carry) == round(posted + Fraction(carry, ACCRUAL_DENOMINATOR))


def test_a_year_of_daily_accrual_is_the_year_s_interest() -> None:
    carry, total = 0, 0
    day = date(2026, 1, 1)
    for _ in range(365):
        posted, carry = divmod(
            1_000_000 * rate_e8(Decimal("0.0435")) * day_weight(DayCount.ACT_365F, day) + carry,
            ACCRUAL_DENOMINATOR,
        )
        total += posted
        day += timedelta(days=1)
    assert round_with_carry(total, carry) == 43_500


def test_an_impossible_product_lists_every_problem() -> None:
    with pytest.raises(InvalidProduct) as caught:
        Product.from_json(
            {
                "product_id": "p",
                "lender_id": "bank",
                "name": "P",
                "term_periods_min": 0,
                "annual_rate_min": "-1",
                "rate_cap": "0.0000000001",
                "allocation_order": ["fee", "interest", "principal"],
                "period_months": 1,
                "period_days": 7,
            }
        )
    problems = caught.value.extra["problems"]
    assert len(problems) == 5, problems
    assert any("below zero" in p for p in problems)
    assert any("at least one period" in p for p in problems)
    assert any("decimal places" in p for p in problems)


def test_products_round_trip_through_json() -> None:
    product = Product.from_json({"product_id": "p", "lender_id": "b", "name": "P"})
    assert Product.from_json(product.to_json()) == product


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=30), st.integers(0, 10**8))
def test_proportional_parts_sum_to_the_total(parts: list[int], total: int) -> None:
    scaled = proportional(parts, total)
    assert sum(scaled) == total and len(scaled) == len(parts) and min(scaled) >= 0


def test_a_schedule_on_given_dates_is_the_built_one() -> None:
    terms = ScheduleTerms(1_200_000, Decimal("0.0435"), date(2026, 3, 2), 12)
    built = build_schedule(terms)
    again = schedule_on_dates(terms, [i.due for i in built.instalments])
    assert again == built
    custom = ScheduleTerms(
        1_000,
        Decimal("0.05"),
        date(2026, 3, 2),
        3,
        amortisation=Amortisation.CUSTOM,
        custom_principal=(0, 500, 500),
    )
    with pytest.raises(InvalidLoanTerms):
        schedule_on_dates(custom, [date(2026, 4, 2), date(2026, 3, 30), date(2026, 6, 2)])
