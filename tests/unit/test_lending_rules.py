"""Servicing rules: allocation order, ageing and the five categories, accrual, prepayment."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puhui.lending.daycount import DayCount, year_fraction
from puhui.lending.errors import InvalidLoanTerms
from puhui.lending.rules import (
    DEFAULT_CLASSIFICATION,
    AllocationStyle,
    Category,
    Component,
    Due,
    PrepaymentPolicy,
    accrue_day,
    allocate,
    classify,
    days_past_due,
    is_classification_table,
    principal_after_prepayment,
)

PEN, FEE, INT, PRI = Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL
FIRST = Due(1, date(2026, 4, 2), {PEN: 50, FEE: 100, INT: 1_000, PRI: 10_000})
SECOND = Due(2, date(2026, 5, 2), {PEN: 0, FEE: 100, INT: 900, PRI: 10_000})


def test_default_order_pays_the_oldest_instalment_penalty_fee_interest_principal() -> None:
    got = allocate(11_500, [SECOND, FIRST])
    assert got.parts == (
        (1, PEN, 50),
        (1, FEE, 100),
        (1, INT, 1_000),
        (1, PRI, 10_000),
        (2, FEE, 100),
        (2, INT, 250),
    )
    assert got.unallocated == 0


def test_component_first_pays_every_penalty_then_every_fee() -> None:
    got = allocate(1_300, [FIRST, SECOND], style=AllocationStyle.COMPONENT_FIRST)
    assert got.parts == ((1, PEN, 50), (1, FEE, 100), (2, FEE, 100), (1, INT, 1_000), (2, INT, 50))
    assert got.total(Component.INTEREST) == 1_050


def test_a_configured_order_and_an_overpayment() -> None:
    got = allocate(30_000, [FIRST], order=(PRI, INT, FEE, PEN))
    assert got.parts == ((1, PRI, 10_000), (1, INT, 1_000), (1, FEE, 100), (1, PEN, 50))
    assert got.unallocated == 30_000 - 11_150


def test_bad_allocations_are_refused() -> None:
    with pytest.raises(InvalidLoanTerms, match="positive"):
        allocate(0, [FIRST])
    with pytest.raises(InvalidLoanTerms, match="exactly once"):
        allocate(10, [FIRST], order=(PEN, PEN, INT, PRI))


@given(st.integers(1, 50_000), st.permutations(list(Component)))
def test_allocation_never_pays_more_than_owed_and_loses_nothing(
    amount: int, order: list[Component]
) -> None:
    got = allocate(amount, [FIRST, SECOND], order=order)
    assert sum(a for _, _, a in got.parts) + got.unallocated == amount
    for number, component, paid in got.parts:
        owed = {1: FIRST, 2: SECOND}[number].amounts[component]
        assert 0 < paid <= owed


@pytest.mark.parametrize(
    ("dpd", "category"),
    [
        (0, Category.NORMAL),
        (1, Category.SPECIAL_MENTION),
        (90, Category.SPECIAL_MENTION),
        (91, Category.SUBSTANDARD),
        (270, Category.SUBSTANDARD),
        (271, Category.DOUBTFUL),
        (360, Category.DOUBTFUL),
        (361, Category.LOSS),
    ],
)
def test_default_five_category_table(dpd: int, category: Category) -> None:
    assert classify(dpd) is category


def test_classification_tables_are_checked() -> None:
    assert is_classification_table(DEFAULT_CLASSIFICATION)
    assert not is_classification_table([(1, Category.NORMAL)])
    assert not is_classification_table(
        [(0, Category.NORMAL), (30, Category.LOSS), (10, Category.DOUBTFUL)]
    )
    assert not is_classification_table([])


def test_days_past_due() -> None:
    assert days_past_due(None, date(2026, 5, 1)) == 0
    assert days_past_due(date(2026, 5, 1), date(2026, 5, 1)) == 0
    assert days_past_due(date(2026, 5, 1), date(2026, 7, 30)) == 90


@given(
    st.integers(0, 10_000_000_00),
    st.integers(0, 3600),
    st.sampled_from(list(DayCount)),
    st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    st.integers(1, 400),
)
def test_daily_accrual_posts_the_exact_interest_floored_over_any_period(
    balance: int, rate_bp: int, convention: DayCount, start: date, days: int
) -> None:
    rate = Fraction(rate_bp, 10_000)
    carry, posted = Fraction(0), 0
    for d in range(days):
        day = accrue_day(balance, rate, convention, start + timedelta(d), carry)
        assert 0 <= day.carry < 1
        posted, carry = posted + day.posted, day.carry
    if convention is not DayCount.THIRTY_360:
        exact = balance * rate * year_fraction(convention, start, start + timedelta(days))
        assert posted == exact.numerator // exact.denominator
        assert posted + carry == exact


def test_prepayment_reduce_term_takes_the_last_parts() -> None:
    assert principal_after_prepayment([100, 100, 100], 150, PrepaymentPolicy.REDUCE_TERM) == [
        100,
        50,
        0,
    ]


def test_prepayment_reduce_instalment_scales_every_part() -> None:
    got = principal_after_prepayment([100, 100, 101], 151, PrepaymentPolicy.REDUCE_INSTALMENT)
    assert got == [50, 50, 50]


@given(
    st.lists(st.integers(0, 1_000_000), min_size=1, max_size=60).filter(lambda xs: sum(xs) > 0),
    st.data(),
    st.sampled_from(list(PrepaymentPolicy)),
)
def test_prepayment_parts_sum_to_the_new_balance(
    parts: list[int], data: st.DataObject, policy: PrepaymentPolicy
) -> None:
    prepaid = data.draw(st.integers(1, sum(parts)))
    got = principal_after_prepayment(parts, prepaid, policy)
    assert sum(got) == sum(parts) - prepaid
    assert all(p >= 0 for p in got)
    assert len(got) == len(parts)
