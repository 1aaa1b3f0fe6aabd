"""receivable holdings: who held each piece, from when until when

A piece's holder changes in place on receivable_pieces; credit features read what a party held
on a past date from this history.

Pieces that exist before this revision get one holding each, by their current holder, from the
day the piece was created until the day it was split (its children's creation) or paid (its
receivable's close). A piece that changed holder before this revision (factored, paid by a
guarantor, taken back) is thus shown as its current holder's since its creation: ``puhui
replay`` rebuilds the exact history from the log.

Revision ID: 0011_receivable_holdings
Revises: 0010_agri_batch_recorded_on
Create Date: 2026-11-24 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_receivable_holdings"
down_revision: str | None = "0010_agri_batch_recorded_on"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receivable_holdings",
        sa.Column("piece_id", sa.String(length=64), nullable=False),
        sa.Column("held_from_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("receivable_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("held_from", sa.Date(), nullable=False),
        sa.Column("held_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("piece_id", "held_from_seq", name=op.f("pk_receivable_holdings")),
    )
    op.create_index("ix_receivable_holdings_holder", "receivable_holdings", ["holder", "held_from"])
    op.create_index(
        "ix_receivable_holdings_receivable_open",
        "receivable_holdings",
        ["receivable_id", "held_until"],
    )
    op.execute(
        "INSERT INTO receivable_holdings"
        " (piece_id, held_from_seq, holder, receivable_id, amount, held_from, held_until)"
        " SELECT p.piece_id, p.created_seq, p.holder, p.receivable_id, p.amount, p.created_on,"
        " CASE p.status"
        "  WHEN 'split' THEN (SELECT min(c.created_on) FROM receivable_pieces c"
        "   WHERE c.parent_id = p.piece_id)"
        "  WHEN 'paid' THEN (SELECT r.closed_on FROM receivables r"
        "   WHERE r.receivable_id = p.receivable_id)"
        " END"
        " FROM receivable_pieces p"
    )


def downgrade() -> None:
    op.drop_index("ix_receivable_holdings_receivable_open", table_name="receivable_holdings")
    op.drop_index("ix_receivable_holdings_holder", table_name="receivable_holdings")
    op.drop_table("receivable_holdings")
