"""payment declined at

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 13:45:00

A declined payment no longer cancels the order: it stays pending until its reservation ends, and the order
records when its payment was last declined, so that the buyer can be told and the expiry says why (issue 17).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_declined_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('payment_declined_at')
