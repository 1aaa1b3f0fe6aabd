"""custodial keys sealed under the party's passphrase (sign-in in the console)

Revision ID: 0008_passphrases
Revises: 0008_code_point_keys
Create Date: 2026-11-24 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_passphrases"
down_revision: str | None = "0008_code_point_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custodial_passphrases",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("kdf", sa.String(length=24), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("auth_sha256", sa.LargeBinary(length=32), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=12), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_custodial_passphrases")),
        sa.UniqueConstraint("party_id", name=op.f("uq_custodial_passphrases_party_id")),
    )


def downgrade() -> None:
    op.drop_table("custodial_passphrases")
