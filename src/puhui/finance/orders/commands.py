"""Command payloads of the order-financing context (all amounts in fen)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictInt

from puhui.finance.orders.model import (
    BP_PER_UNIT,
    DOCUMENTS_PER_PAYMENT_MAX,
    NOTE_CHARS_MAX,
    PLAN_SUPPLIERS_MAX,
)
from puhui.finance.rates import AnnualRate
from puhui.kernel.payloads import Amount, Id, Payload

TERM_PERIODS_MAX = 120


class OpenOrder(Payload):
    """``order.open`` (the seller): a trade order on a purchase order the seller registered."""

    order_id: Id
    document_id: Id
    """A ``purchase_order`` document registered by the signer naming the buyer."""
    amount: Amount
    currency: Literal["CNY"] = "CNY"
    delivery_due: date


class ConfirmOrder(Payload):
    """``order.confirm`` (the buyer): countersign the order by restating its terms."""

    order_id: Id
    amount: Amount
    delivery_due: date


class SetPolicy(Payload):
    """``order.set_policy`` (operator): the highest share of an order's value a loan may reach."""

    advance_bp_max: Annotated[StrictInt, Field(ge=1, le=BP_PER_UNIT)]


class PlanLine(Payload):
    supplier: Id
    amount: Amount


class RequestFinancing(Payload):
    """``order.request_financing`` (the seller): borrow to produce, paid to these suppliers."""

    financing_id: Id
    """Also the id of the loan."""
    order_id: Id
    bank: Id
    product_id: Id
    amount: Amount
    term_periods: Annotated[StrictInt, Field(ge=1, le=TERM_PERIODS_MAX)] = 1
    annual_rate_max: AnnualRate
    """The highest rate the seller accepts; the bank's rate may not be above it."""
    plan: list[PlanLine] = Field(min_length=1, max_length=PLAN_SUPPLIERS_MAX)


class Finance(Payload):
    """``order.finance`` (the bank named): contract the loan and lien the purchase order."""

    financing_id: Id
    annual_rate: AnnualRate
    note: str = Field(default="", max_length=NOTE_CHARS_MAX)


class DeclineFinancing(Payload):
    financing_id: Id
    reason: str = Field(min_length=1, max_length=NOTE_CHARS_MAX)


class Draw(Payload):
    """``order.draw`` (the seller): a tranche of the order's loan, paid to a plan supplier."""

    order_id: Id
    tranche_id: Id
    supplier: Id
    amount: Amount


class Pay(Payload):
    """``order.pay`` (the buyer): the delivery is in; pay the order (the lender first)."""

    order_id: Id
    payment_id: Id
    amount: Amount
    """Exactly the order's amount."""
    delivery_ids: list[Id] = Field(min_length=1, max_length=DOCUMENTS_PER_PAYMENT_MAX)
    """Delivery notes of the seller, each confirmed by the buyer."""
    invoice_ids: list[Id] = Field(default_factory=list, max_length=DOCUMENTS_PER_PAYMENT_MAX)
    """E-invoices of the seller to the buyer for the order."""
