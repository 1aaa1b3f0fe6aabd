"""instalment settled_on: the business date an instalment stopped being owed

Repayment history (credit features) reads it to answer as of any past date: whether an
instalment was still unpaid on that date, and whether it was paid after its due date.

Rows already settled before this revision get the business date of their loan's latest
transaction, the latest day by which they were surely settled (so a payment on time may count
as late, never the reverse). ``puhui replay`` rebuilds the projections from the log with the
exact dates.

Revision ID: 0009_instalment_settled_on
Revises: 0008_orders
Create Date: 2026-11-24 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_instalment_settled_on"
down_revision: str | None = "0008_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("loan_instalments") as batch:
        batch.add_column(sa.Column("settled_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE loan_instalments SET settled_on = ("
        " SELECT max(t.business_date) FROM loan_transactions t"
        " WHERE t.loan_id = loan_instalments.loan_id)"
        " WHERE status IN ('paid', 'written_off', 'restructured')"
    )


def downgrade() -> None:
    with op.batch_alter_table("loan_instalments") as batch:
        batch.drop_column("settled_on")
