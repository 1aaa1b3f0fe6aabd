"""Trade orders and their financing: states, limits and the advance policy.

A **trade order** (seed 002: Trusple's trade orders, CITIC's penetrating payment) stands on a
purchase order the seller registered as a document. The seller opens the order on the platform
with its amount and delivery date; the buyer countersigns those terms. A confirmed order lets
the seller borrow to produce it: the loan is paid only to the input suppliers named in the
financing plan, and the buyer's payment for the order repays the lender first, the rest going
to the seller.
"""

from __future__ import annotations

from enum import StrEnum

CONTROLLER = "orders"
"""The context that alone draws an order loan's tranches (``lending.disburse`` is refused)."""
ADVANCE_BP_DEFAULT = 7_000
"""Financing may reach 70% of the order's value until the operator sets another share."""
BP_PER_UNIT = 10_000
PLAN_SUPPLIERS_MAX = 20
DOCUMENTS_PER_PAYMENT_MAX = 50
NOTE_CHARS_MAX = 500


class OrderStatus(StrEnum):
    OPEN = "open"
    """Opened by the seller, waiting for the buyer's countersignature."""
    CONFIRMED = "confirmed"
    """Both parties signed the terms: it can be financed and paid."""
    PAID = "paid"


class FinancingStatus(StrEnum):
    REQUESTED = "requested"
    DECLINED = "declined"
    FUNDED = "funded"
    """The loan is contracted; tranches are drawn to the plan's suppliers."""
    SETTLED = "settled"
    """The buyer's payment repaid the loan in full."""
    SHORT = "short"
    """The buyer's payment did not cover the loan: the lender took all of it and the seller
    owes the rest through ``lending.repay``."""
    UNDRAWN = "undrawn"
    """Paid before anything was drawn: nothing was lent, the lien is released."""
    EXPIRED = "expired"
    """A request still waiting when the buyer paid."""


def advance_cap(order_amount: int, advance_bp: int) -> int:
    """The most an order of ``order_amount`` fen may be financed for (floored to the fen)."""
    return order_amount * advance_bp // BP_PER_UNIT


def order_reference(order_id: str) -> str:
    """The reference of the buyer's payment when no loan stands on the order."""
    return f"order:{order_id}"


def loan_reference(loan_id: str) -> str:
    """The origin the loan engine gives every transfer of a loan."""
    return f"loan:{loan_id}"
