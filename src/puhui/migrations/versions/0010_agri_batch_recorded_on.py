"""agri batch recorded_on: the business date a finished batch reached the log

Credit features read a farm's production history as of a decision date, and a batch the farm
declared late must not count before it was declared.

Rows recorded before this revision get the current business date, the latest day by which they
were surely on the log (so history may be seen late, never early). ``puhui replay`` rebuilds
the projections from the log with the exact dates.

Revision ID: 0010_agri_batch_recorded_on
Revises: 0009_instalment_settled_on
Create Date: 2026-11-24 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_agri_batch_recorded_on"
down_revision: str | None = "0009_instalment_settled_on"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agri_batches") as batch:
        batch.add_column(sa.Column("recorded_on", sa.Date(), nullable=True))
    op.execute("UPDATE agri_batches SET recorded_on = (SELECT business_date FROM clock)")
    with op.batch_alter_table("agri_batches") as batch:
        batch.alter_column("recorded_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("agri_batches") as batch:
        batch.drop_column("recorded_on")
