from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from puhui.lending.daycount import DayCount, daily_fraction, year_fraction


def test_thirty_360_bond_basis_examples() -> None:
    f = year_fraction
    assert f(DayCount.THIRTY_360, date(2026, 1, 31), date(2026, 3, 31)) == Fraction(60, 360)
    assert f(DayCount.THIRTY_360, date(2026, 1, 15), date(2026, 3, 31)) == Fraction(76, 360)
    assert f(DayCount.THIRTY_360, date(2026, 2, 28), date(2026, 3, 31)) == Fraction(33, 360)
    assert f(DayCount.THIRTY_360, date(2026, 1, 1), date(2027, 1, 1)) == 1


def test_act_act_splits_the_period_at_the_year_end() -> None:
    # 2027-12-01 .. 2028-02-01: 31 days of 365 in 2027, 31 days of 366 in 2028 (a leap year)
    got = year_fraction(DayCount.ACT_ACT, date(2027, 12, 1), date(2028, 2, 1))
    assert got == Fraction(31, 365) + Fraction(31, 366)


def test_actual_conventions() -> None:
    start, end = date(2026, 3, 2), date(2026, 4, 13)
    assert year_fraction(DayCount.ACT_365F, start, end) == Fraction(42, 365)
    assert year_fraction(DayCount.ACT_360, start, end) == Fraction(42, 360)


@given(
    st.sampled_from([DayCount.ACT_365F, DayCount.ACT_360, DayCount.ACT_ACT]),
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.integers(0, 800),
)
def test_daily_fractions_sum_to_the_period(convention: DayCount, start: date, days: int) -> None:
    end = start + timedelta(days=days)
    summed = sum(
        (daily_fraction(convention, start + timedelta(d)) for d in range(days)), Fraction(0)
    )
    assert summed == year_fraction(convention, start, end)


@given(st.integers(2020, 2030), st.integers(1, 12))
def test_thirty_360_daily_accrual_gives_thirty_days_a_month(year: int, month: int) -> None:
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    days = (end - start).days
    summed = sum(
        (daily_fraction(DayCount.THIRTY_360, start + timedelta(d)) for d in range(days)),
        Fraction(0),
    )
    assert summed == Fraction(30, 360) == year_fraction(DayCount.THIRTY_360, start, end)
