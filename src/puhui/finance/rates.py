"""Annual rates as the finance products' commands carry them: decimal strings in (0, 1]."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator

from puhui.kernel.errors import InvalidCommand

ANNUAL_RATE_MAX = Decimal("1")


def parse_rate(value: str) -> Decimal:
    """An annual rate as a decimal string (``"0.0435"`` is 4.35%), in (0, 1]."""
    try:
        rate = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"annual rate {value!r} is not a decimal number") from exc
    if not rate.is_finite() or not 0 < rate <= ANNUAL_RATE_MAX:
        raise ValueError(f"annual rate {value} must be above 0 and at most {ANNUAL_RATE_MAX}")
    return rate


def rate_param(value: str) -> Decimal:
    """``parse_rate`` for a request parameter: InvalidCommand (422) instead of ValueError."""
    try:
        return parse_rate(value)
    except ValueError as exc:
        raise InvalidCommand(str(exc)) from exc


def _checked(value: str) -> str:
    parse_rate(value)
    return value


AnnualRate = Annotated[str, AfterValidator(_checked)]
"""A payload field holding an annual rate, kept as the string that was signed."""
