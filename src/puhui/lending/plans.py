"""Schedules of a live loan: the instalment rows a loan gets at its first tranche and after a
later tranche, a prepayment or a restructure (pure functions over the loan's figures)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from puhui.lending.calendar import HolidayCalendar
from puhui.lending.model import InstalmentStatus, Product
from puhui.lending.schedule import (
    Amortisation,
    ScheduleTerms,
    due_dates,
    proportional,
    schedule_on_dates,
)

Row = list[Any]
"""[number, due date (ISO), principal, projected interest, fee] as the schedule event holds it."""


def terms_for(
    product: Product,
    principal: int,
    rate: Decimal,
    start: date,
    periods: int,
    *,
    custom: Sequence[int] = (),
    grace: int | None = None,
) -> ScheduleTerms:
    amortisation = Amortisation.CUSTOM if custom else product.amortisation
    if amortisation is Amortisation.BULLET and periods != 1:
        amortisation = Amortisation.INTEREST_ONLY
    grace_periods = product.principal_grace_periods if grace is None else grace
    return ScheduleTerms(
        principal=principal,
        annual_rate=rate,
        start=start,
        term_periods=periods,
        period=product.period,
        amortisation=amortisation,
        interest_method=product.interest_method,
        day_count=product.day_count,
        principal_grace_periods=0 if custom else min(grace_periods, periods - 1),
        fee_per_instalment=product.fee_per_instalment,
        due_date_rule=product.due_date_rule,
        custom_principal=tuple(custom),
    )


def first_dues(
    product: Product, start: date, periods: int, holidays: HolidayCalendar
) -> list[date]:
    probe = terms_for(product, 1, Decimal(0), start, periods, custom=(0,) * (periods - 1) + (1,))
    return due_dates(probe, holidays)


def rows_on(
    product: Product,
    principal: int,
    rate: Decimal,
    start: date,
    dues: Sequence[date],
    first_number: int,
    *,
    custom: Sequence[int] = (),
    grace: int | None = None,
) -> list[Row]:
    """Instalment rows repaying ``principal`` on ``dues`` (numbered from ``first_number``)."""
    if principal == 0:
        return [
            [first_number + k, d.isoformat(), 0, 0, product.fee_per_instalment]
            for k, d in enumerate(dues)
        ]
    terms = terms_for(product, principal, rate, start, len(dues), custom=custom, grace=grace)
    schedule = schedule_on_dates(terms, dues)
    return [
        [first_number + k, i.due.isoformat(), i.principal, i.interest, i.fee]
        for k, i in enumerate(schedule.instalments)
    ]


def unbilled(rows: Sequence[Any]) -> list[Any]:
    return [r for r in rows if r.status == InstalmentStatus.SCHEDULED.value and r.number > 0]


def period_start(rows: Sequence[Any], anchor: date) -> date:
    billed = [
        r.due_date for r in rows if r.status != InstalmentStatus.SCHEDULED.value and r.number > 0
    ]
    return max(billed, default=anchor)


def reamortised(
    product: Product, loan: Any, rows: Sequence[Any], principal: int, rate: Decimal
) -> list[Row]:
    """The unbilled instalments re-planned to repay ``principal`` (the principal not billed)."""
    remaining = unbilled(rows)
    start = period_start(rows, loan.anchor_date)
    dues = [r.due_date for r in remaining]
    billed_count = sum(1 for r in rows if r.number > 0) - len(remaining)
    custom: Sequence[int] = ()
    if product.amortisation is Amortisation.CUSTOM:
        custom = proportional([r.principal for r in remaining], principal)
    grace = max(0, product.principal_grace_periods - billed_count)
    return rows_on(
        product, principal, rate, start, dues, remaining[0].number, custom=custom, grace=grace
    )


def with_parts(
    product: Product, loan: Any, rows: Sequence[Any], parts: Sequence[int], rate: Decimal
) -> list[Row]:
    """The unbilled instalments with given principal parts (after a prepayment)."""
    remaining = unbilled(rows)
    start = period_start(rows, loan.anchor_date)
    dues = [r.due_date for r in remaining]
    return rows_on(product, sum(parts), rate, start, dues, remaining[0].number, custom=parts)
