"""Rules of the order-financing model: the advance cap, rates, payloads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from puhui.finance.orders import __all__ as public
from puhui.finance.orders.commands import Pay, RequestFinancing
from puhui.finance.orders.model import ADVANCE_BP_DEFAULT, BP_PER_UNIT, advance_cap
from puhui.finance.rates import parse_rate


def test_public_api() -> None:
    assert sorted(public) == sorted(
        [
            "ADVANCE_BP_DEFAULT",
            "CONTROLLER",
            "FinancingStatus",
            "OrderStatus",
            "advance_cap",
            "register_context",
        ]
    )


def test_default_share_is_seventy_percent() -> None:
    assert ADVANCE_BP_DEFAULT == 7_000
    assert advance_cap(40_000_000, ADVANCE_BP_DEFAULT) == 28_000_000
    assert advance_cap(1, ADVANCE_BP_DEFAULT) == 0


@given(st.integers(1, 2**53 - 1), st.integers(1, BP_PER_UNIT))
def test_cap_is_the_share_floored_to_the_fen(amount: int, share_bp: int) -> None:
    cap = advance_cap(amount, share_bp)
    assert cap * BP_PER_UNIT <= amount * share_bp < (cap + 1) * BP_PER_UNIT
    assert 0 <= cap <= amount


@pytest.mark.parametrize("text", ["0", "-0.01", "1.5", "NaN", "x", "Infinity"])
def test_rates_out_of_range_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(text)


def test_payloads_refuse_floats_empty_plans_and_no_delivery() -> None:
    base = {
        "financing_id": "of-1",
        "order_id": "o-1",
        "bank": "bank",
        "product_id": "prod",
        "amount": 100,
        "annual_rate_max": "0.05",
        "plan": [{"supplier": "sup", "amount": 100}],
    }
    RequestFinancing.model_validate(base)
    for bad in ({"plan": []}, {"amount": 100.0}, {"annual_rate_max": "2"}, {"extra": 1}):
        with pytest.raises(ValidationError):
            RequestFinancing.model_validate(base | bad)
    pay = {"order_id": "o-1", "payment_id": "pay", "amount": 1, "delivery_ids": ["dn-1"]}
    Pay.model_validate(pay)
    with pytest.raises(ValidationError):
        Pay.model_validate(pay | {"delivery_ids": []})
