"""account suspension

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 15:35:00

An admin suspends an account (issue 18): it may not sign in, and its tokens stop working at once (its token
version is raised in the same UPDATE); restoring it lets it sign in again.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('suspended_at')
