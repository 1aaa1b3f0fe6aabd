"""Offers: the schedule and disclosure (APR, total interest, total cost) of a loan at a rate,
refused above the product's rate cap; and the amount, term and rate checks against a product."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from puhui.lending import plans
from puhui.lending.apr import Disclosure, disclose
from puhui.lending.calendar import HolidayCalendar
from puhui.lending.errors import AmountOutOfRange, InvalidLoanTerms, RateAboveCap
from puhui.lending.model import Product, parse_rate
from puhui.lending.schedule import Schedule, build_schedule


def offer(
    product: Product,
    amount: int,
    term_periods: int,
    rate: Decimal,
    start: date,
    holidays: HolidayCalendar,
    custom: Sequence[int] = (),
) -> tuple[Schedule, Disclosure]:
    """The schedule and disclosure of an offer; RateAboveCap if its APR is above the cap."""
    terms = plans.terms_for(product, amount, rate, start, term_periods, custom=custom)
    schedule = build_schedule(terms, holidays)
    disclosure = disclose(schedule, upfront_fee=product.upfront_fee)
    if product.rate_cap is not None and disclosure.apr > product.rate_cap:
        raise RateAboveCap(
            f"the offer's APR {disclosure.apr} is above the product's cap {product.rate_cap}",
            apr=str(disclosure.apr),
            rate_cap=str(product.rate_cap),
        )
    return schedule, disclosure


def check_amount_and_term(product: Product, amount: int, term_periods: int) -> None:
    if not product.amount_min <= amount <= product.amount_max:
        raise AmountOutOfRange(
            f"amount {amount} is outside {product.amount_min}..{product.amount_max}"
        )
    if term_periods < 1:
        raise InvalidLoanTerms(f"the term must be at least one period, got {term_periods}")
    if not product.term_periods_min <= term_periods <= product.term_periods_max:
        raise AmountOutOfRange(
            f"term {term_periods} is outside {product.term_periods_min}..{product.term_periods_max}"
        )


def check_rate(product: Product, text: str) -> Decimal:
    problems: list[str] = []
    rate = parse_rate(text, "annual_rate", problems)
    if problems:
        raise InvalidLoanTerms("; ".join(problems), problems=problems)
    if not product.annual_rate_min <= rate <= product.annual_rate_max:
        raise AmountOutOfRange(
            f"rate {rate} is outside {product.annual_rate_min}..{product.annual_rate_max}"
        )
    return rate


def offer_json(
    conn: Connection,
    product_id: str,
    amount: int,
    term_periods: int,
    annual_rate: str,
    start: date,
    custom: Sequence[int] = (),
) -> dict[str, Any]:
    """An offer as a borrower sees it before applying: schedule, APR, total interest and cost."""
    from puhui.lending import views

    product = views.get_product(conn, product_id)
    check_amount_and_term(product, amount, term_periods)
    rate = check_rate(product, annual_rate)
    holidays = views.calendar(conn, product.calendar)
    schedule, disclosure = offer(product, amount, term_periods, rate, start, holidays, custom)
    return {
        "product_id": product_id,
        "currency": product.currency,
        "amount": amount,
        "term_periods": term_periods,
        "annual_rate": str(rate),
        "apr": str(disclosure.apr),
        "total_interest": disclosure.total_interest,
        "total_fees": disclosure.total_fees,
        "total_cost": disclosure.total_cost,
        "rate_cap": None if product.rate_cap is None else str(product.rate_cap),
        "schedule": [
            {
                "number": i.number,
                "due_date": i.due.isoformat(),
                "principal": i.principal,
                "interest": i.interest,
                "fee": i.fee,
                "total": i.total,
                "outstanding_after": i.outstanding_after,
            }
            for i in schedule.instalments
        ],
    }
