"""Command payloads of the lending context.

Types only (and the shapes JSON can carry: rates are decimal strings); the handlers and
``Product.check`` apply the rules so that every problem gets a typed, specific error.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StringConstraints

from puhui.kernel.commands import ID_PATTERN
from puhui.kernel.payloads import Payload
from puhui.lending.calendar import DueDateRule
from puhui.lending.daycount import DayCount
from puhui.lending.model import PAYEES_MAX, TRANCHES_MAX, WEEKENDS_CALENDAR
from puhui.lending.rules import AllocationStyle, Category, Component, PrepaymentPolicy
from puhui.lending.schedule import TERM_PERIODS_MAX, Amortisation, InterestMethod

PartyId = Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern)]
ObjectId = Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern)]
Rate = Annotated[str, StringConstraints(min_length=1, max_length=24)]
CalendarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")]
CALENDAR_DAYS_MAX = 2000
CALENDAR_YEARS_MAX = 20
CLASSIFICATION_ROWS_MAX = 10


class DefineProduct(Payload):
    """A loan product of the signing lender. Rates are annual, as decimal strings."""

    product_id: ObjectId
    name: str = Field(min_length=1, max_length=200)
    currency: str = Field(default="CNY", pattern=r"^[A-Z][A-Z0-9]{1,15}$")
    interest_method: InterestMethod = InterestMethod.DECLINING_BALANCE
    amortisation: Amortisation = Amortisation.EQUAL_INSTALMENTS
    day_count: DayCount = DayCount.ACT_365F
    period_months: StrictInt = 1
    period_days: StrictInt = 0
    term_periods_min: StrictInt = 1
    term_periods_max: StrictInt = 12
    amount_min: StrictInt = 1
    amount_max: StrictInt = 10**14
    annual_rate_min: Rate = "0"
    annual_rate_max: Rate = "10"
    rate_cap: Rate | None = None
    penalty_rate: Rate = "0"
    principal_grace_periods: StrictInt = 0
    upfront_fee: StrictInt = 0
    fee_per_instalment: StrictInt = 0
    late_fee: StrictInt = 0
    allocation_order: list[Component] = Field(
        default_factory=lambda: [
            Component.PENALTY,
            Component.FEE,
            Component.INTEREST,
            Component.PRINCIPAL,
        ],
        max_length=4,
    )
    allocation_style: AllocationStyle = AllocationStyle.OLDEST_FIRST
    prepayment_policy: PrepaymentPolicy = PrepaymentPolicy.REDUCE_TERM
    prepayment_allowed: StrictBool = True
    due_date_rule: DueDateRule = DueDateRule.FOLLOWING
    calendar: CalendarName = WEEKENDS_CALENDAR
    classification: list[tuple[StrictInt, Category]] | None = Field(
        default=None, max_length=CLASSIFICATION_ROWS_MAX
    )
    restructured_category_min: Category = Category.SPECIAL_MENTION
    pay_borrower_allowed: StrictBool = False
    tranches_max: StrictInt = TRANCHES_MAX


class LoadCalendar(Payload):
    """Holidays and worked weekend days of ``years`` (operator); replaces those years."""

    name: CalendarName
    years: list[Annotated[int, Field(ge=1900, le=2200)]] = Field(
        min_length=1, max_length=CALENDAR_YEARS_MAX
    )
    holidays: list[date] = Field(default_factory=list, max_length=CALENDAR_DAYS_MAX)
    workdays: list[date] = Field(default_factory=list, max_length=CALENDAR_DAYS_MAX)


class PayeeItem(Payload):
    party_id: PartyId
    amount_max: StrictInt | None = None
    """The most this payee may receive over all tranches (default: the approved amount)."""


class Apply(Payload):
    """The borrower applies for a loan under a product, naming who the money may go to."""

    loan_id: ObjectId
    product_id: ObjectId
    amount: StrictInt
    term_periods: StrictInt
    payees: list[PayeeItem] = Field(default_factory=list, max_length=PAYEES_MAX)
    purpose: str = Field(default="", max_length=200)
    custom_principal: list[StrictInt] = Field(default_factory=list, max_length=TERM_PERIODS_MAX)


class Approve(Payload):
    """The lender approves at a rate (the offer); refused if its APR is above the product cap."""

    loan_id: ObjectId
    annual_rate: Rate
    amount: StrictInt | None = None
    """Approved amount (default: as applied for); never more than applied for."""
    credit_decision_id: ObjectId | None = None


class Reject(Payload):
    loan_id: ObjectId
    reason: str = Field(min_length=1, max_length=200)


class SignContract(Payload):
    """Borrower or lender signs the approved contract, identified by its digest."""

    loan_id: ObjectId
    contract_digest: str = Field(pattern=r"^[0-9a-f]{64}$")


class Disburse(Payload):
    """The lender pays one tranche to a payee named in the contract."""

    loan_id: ObjectId
    tranche_id: ObjectId
    amount: StrictInt
    payee_id: PartyId


class Repay(Payload):
    """The signer pays from its cash account; allocated by the product's order."""

    loan_id: ObjectId
    repayment_id: ObjectId
    amount: StrictInt


class CloseLoan(Payload):
    loan_id: ObjectId


class WriteOff(Payload):
    loan_id: ObjectId
    reason: str = Field(min_length=1, max_length=200)


class Recover(Payload):
    """Money received on a written-off loan (from the signer's cash account)."""

    loan_id: ObjectId
    recovery_id: ObjectId
    amount: StrictInt


class Restructure(Payload):
    """The lender re-amortises what the loan owes over new terms from today (see
    docs/lending.md on the borrower's consent)."""

    loan_id: ObjectId
    term_periods: StrictInt
    annual_rate: Rate | None = None
    capitalise_arrears: StrictBool = True
    """Overdue interest, fees and penalty become principal (else they stay due)."""


class OpenLine(Payload):
    """The lender offers a revolving credit line; the borrower accepts it before drawing."""

    line_id: ObjectId
    product_id: ObjectId
    borrower_id: PartyId
    limit: StrictInt
    annual_rate: Rate
    term_periods: StrictInt
    payees: list[PartyId] = Field(default_factory=list, max_length=PAYEES_MAX)


class LineRef(Payload):
    line_id: ObjectId


class Draw(Payload):
    """The borrower draws on an accepted line, paid to a payee named by the line."""

    line_id: ObjectId
    loan_id: ObjectId
    amount: StrictInt
    payee_id: PartyId
