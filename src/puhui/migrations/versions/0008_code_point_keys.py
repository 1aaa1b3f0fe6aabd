"""code-point keys: loan and flock ids COLLATE "C" on PostgreSQL

The close of day walks loans and flocks in keyset chunks ordered by code point. Declaring these
ids ``COLLATE "C"`` lets the primary-key and status indexes serve that order on PostgreSQL (see
``puhui.kernel.store.keys``). SQLite already orders by code point: nothing to do there.

Revision ID: 0008_code_point_keys
Revises: 0007_agri
Create Date: 2026-11-24 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_code_point_keys"
down_revision: str | None = "0007_agri"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("loans", "loan_id"),
    ("loan_instalments", "loan_id"),
    ("loan_transactions", "loan_id"),
    ("loan_classifications", "loan_id"),
    ("agri_flocks", "flock_id"),
    ("agri_readings", "flock_id"),
)


def _retype(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(
            table,
            column,
            type_=sa.String(64, collation=collation),
            existing_nullable=False,
        )


def upgrade() -> None:
    _retype("C")


def downgrade() -> None:
    _retype(None)
