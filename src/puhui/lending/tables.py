"""Tables of the lending context; every one is a projection of the log.

``loans`` carries, besides the contract, the few running figures the close of day needs
(principal outstanding and overdue, interest accrued since the last billing with its carry,
penalty, the oldest overdue due date, days past due, category), so a day is closed from bulk
reads of this table and of the instalments falling due, without a query per loan.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from puhui.kernel.store.engine import metadata
from puhui.kernel.store.keys import code_point_key
from puhui.kernel.store.tables import PROJECTION

LOAN_ID = code_point_key(64)
"""Ordered by code point on both stores: the close of day walks loans in keyset chunks."""
PARTY_ID = String(64)

loan_products = Table(
    "loan_products",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("lender_id", PARTY_ID, nullable=False, index=True),
    Column("currency", String(16), nullable=False),
    Column("definition", Text, nullable=False, doc="the product as canonical JSON"),
    Column("defined_seq", BigInteger, nullable=False),
    info=PROJECTION,
)

holiday_calendars = Table(
    "holiday_calendars",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("years", String(400), nullable=False, doc="comma-separated years the calendar knows"),
    Column("loaded_seq", BigInteger, nullable=False),
    info=PROJECTION,
)

calendar_days = Table(
    "calendar_days",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("kind", String(8), nullable=False, doc="holiday or workday (a weekend worked)"),
    info=PROJECTION,
)

loans = Table(
    "loans",
    metadata,
    Column("loan_id", LOAN_ID, primary_key=True),
    Column("product_id", String(64), nullable=False, index=True),
    Column("borrower_id", PARTY_ID, nullable=False, index=True),
    Column("lender_id", PARTY_ID, nullable=False, index=True),
    Column("line_id", String(64), index=True, doc="the credit line a draw belongs to"),
    Column("currency", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("amount_requested", BigInteger, nullable=False),
    Column("amount_approved", BigInteger, nullable=False),
    Column("term_periods", SmallInteger, nullable=False),
    Column("annual_rate", String(24), nullable=False),
    Column("rate_e8", BigInteger, nullable=False),
    Column("penalty_rate_e8", BigInteger, nullable=False),
    Column("day_count", String(8), nullable=False),
    Column("flat", Boolean, nullable=False, doc="flat method: interest on the amount disbursed"),
    Column("contract", Text, nullable=False, doc="payees, custom parts, purpose: JSON"),
    Column("contract_digest", String(64), nullable=False),
    Column("decision_ref", String(64)),
    Column("apr", String(24)),
    Column("applied_seq", BigInteger, nullable=False),
    Column("approved_seq", BigInteger),
    Column("borrower_signed_seq", BigInteger),
    Column("lender_signed_seq", BigInteger),
    Column("anchor_date", Date, doc="first disbursement: the schedule counts periods from it"),
    Column("disbursed", BigInteger, nullable=False),
    Column("principal_outstanding", BigInteger, nullable=False),
    Column("principal_overdue", BigInteger, nullable=False),
    Column("interest_accrued", BigInteger, nullable=False, doc="posted since the last billing"),
    Column("interest_carry", BigInteger, nullable=False, doc="1/ACCRUAL_DENOMINATOR fen"),
    Column("interest_prepaid", BigInteger, nullable=False, doc="paid against unbilled accrual"),
    Column("penalty_unpaid", BigInteger, nullable=False),
    Column("penalty_carry", BigInteger, nullable=False),
    Column("oldest_overdue_due", Date),
    Column("days_past_due", Integer, nullable=False),
    Column("category", String(16), nullable=False),
    Column("restructured", Boolean, nullable=False),
    Column("written_off", BigInteger, nullable=False),
    Column("recovered", BigInteger, nullable=False),
    Column("closed_seq", BigInteger),
    Index("ix_loans_status_loan", "status", "loan_id"),
    info=PROJECTION,
)

loan_instalments = Table(
    "loan_instalments",
    metadata,
    Column("loan_id", LOAN_ID, primary_key=True),
    Column("number", SmallInteger, primary_key=True, autoincrement=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(12), nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("interest", BigInteger, nullable=False, doc="projected until billed, then billed"),
    Column("fee", BigInteger, nullable=False),
    Column("paid_principal", BigInteger, nullable=False),
    Column("paid_interest", BigInteger, nullable=False),
    Column("paid_fee", BigInteger, nullable=False),
    Column(
        "settled_on",
        Date,
        doc="the business date it stopped being owed: paid in full, written off or rolled into "
        "a restructure (the first such date; repayment history reads it as of any date)",
    ),
    Index("ix_loan_instalments_status_due", "status", "due_date"),
    info=PROJECTION,
)

loan_transactions = Table(
    "loan_transactions",
    metadata,
    Column("loan_id", LOAN_ID, primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("line", SmallInteger, primary_key=True, autoincrement=False),
    Column("object_id", String(64), nullable=False, doc="tranche, repayment or recovery id"),
    Column("kind", String(16), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("interest", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
    Column("penalty", BigInteger, nullable=False),
    Column("party_id", PARTY_ID, doc="payee of a tranche, payer of a repayment"),
    Column("note", String(200)),
    Index("ix_loan_transactions_object", "loan_id", "object_id"),
    info=PROJECTION,
)

loan_classifications = Table(
    "loan_classifications",
    metadata,
    Column("loan_id", LOAN_ID, primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("business_date", Date, nullable=False),
    Column("category", String(16), nullable=False),
    Column("previous", String(16), nullable=False),
    Column("days_past_due", Integer, nullable=False),
    info=PROJECTION,
)

credit_lines = Table(
    "credit_lines",
    metadata,
    Column("line_id", String(64), primary_key=True),
    Column("product_id", String(64), nullable=False),
    Column("borrower_id", PARTY_ID, nullable=False, index=True),
    Column("lender_id", PARTY_ID, nullable=False, index=True),
    Column("currency", String(16), nullable=False),
    Column("limit_amount", BigInteger, nullable=False),
    Column("annual_rate", String(24), nullable=False),
    Column("term_periods", SmallInteger, nullable=False, doc="term of each draw"),
    Column("payees", Text, nullable=False, doc="JSON list of party ids"),
    Column("status", String(12), nullable=False),
    Column("draws", Integer, nullable=False),
    Column("opened_seq", BigInteger, nullable=False),
    info=PROJECTION,
)
