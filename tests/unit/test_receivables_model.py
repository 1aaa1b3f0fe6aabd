"""Rules of the receivables model: maturity policy, month arithmetic, the factoring discount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puhui.finance.rates import parse_rate
from puhui.finance.receivables import __all__ as public
from puhui.finance.receivables.model import add_months, discount, maturity_problem
from puhui.lending.daycount import DayCount

TODAY = date(2026, 3, 2)


def test_public_api() -> None:
    assert sorted(public) == sorted(
        [
            "MATURITY_MONTHS_DEFAULT",
            "MATURITY_MONTHS_HARD_MAX",
            "FinancingStatus",
            "GuaranteeStatus",
            "PieceStatus",
            "ReceivableStatus",
            "check_invoices",
            "discount",
            "register_context",
        ]
    )


def test_add_months_clips_to_the_month_end() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 2), 12) == date(2027, 3, 2)


def test_maturity_rules() -> None:
    assert maturity_problem(TODAY, date(2026, 9, 2), 6) is None
    assert "policy limit of 6 months (latest 2026-09-02)" in str(
        maturity_problem(TODAY, date(2026, 9, 3), 6)
    )
    assert "more than one year" in str(maturity_problem(TODAY, date(2027, 3, 3), 12))
    assert "must be after" in str(maturity_problem(TODAY, TODAY, 6))


def test_discount_is_face_rate_days_over_basis_rounded_half_even() -> None:
    # 20,000,000 fen × 4.35% × 30/360 = 72,500 exactly
    assert discount(20_000_000, Decimal("0.0435"), TODAY, date(2026, 4, 1), DayCount.ACT_360) == (
        72_500
    )
    # 1,000 × 3.65% × 1/365 = 0.1 fen → 0; 5,000 × 3.65% × 1/365 = 0.5 → 0 (even); 15,000 → 2
    one_day = date(2026, 3, 3)
    rate = Decimal("0.0365")
    assert discount(1_000, rate, TODAY, one_day, DayCount.ACT_365F) == 0
    assert discount(5_000, rate, TODAY, one_day, DayCount.ACT_365F) == 0
    assert discount(15_000, rate, TODAY, one_day, DayCount.ACT_365F) == 2


@given(st.integers(1, 2**53 - 1), st.integers(1, 366))
def test_discount_at_100_percent_is_the_face_times_the_year_fraction(face: int, days: int) -> None:
    end = date.fromordinal(TODAY.toordinal() + days)
    got = discount(face, Decimal("1"), TODAY, end, DayCount.ACT_365F)
    assert abs(got * 365 - face * days) <= 365 // 2


@pytest.mark.parametrize("value", ["0", "-0.01", "1.01", "abc", "NaN", "Infinity"])
def test_bad_rates_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(value)
