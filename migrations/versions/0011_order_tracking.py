"""order tracking and the seller's order list

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-05 16:40:00

A seller ships an order with its parcel's tracking number and, optionally, its carrier (issue 18). The seller's
order list is read newest first a page at a time (a keyset on created_at, id), for a seller and for an admin.
(0010 was set aside for a products migration that was not needed.)
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracking_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('carrier', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index('ix_orders_seller_created', ['seller_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_orders_created', ['created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_created')
        batch_op.drop_index('ix_orders_seller_created')
        batch_op.drop_column('carrier')
        batch_op.drop_column('tracking_number')
