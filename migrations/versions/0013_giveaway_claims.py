"""giveaway claims: each winner's offer of the prize, passed down the ranking when unclaimed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 21:00:00

One row per entry a giveaway's prize is offered to (issue 19): its rank, the SHA-256 of its claim link's token,
offered → claimed (with the order at price 0) or passed (to the next entry of the ranking, after GIVEAWAY_CLAIM_S).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'giveaway_claims',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('game_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('entry_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('token_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('offered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('order_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(['entry_id'], ['game_entries.id']),
        sa.ForeignKeyConstraint(['game_id'], ['games.id']),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('game_id', 'rank', name='uq_giveaway_claims_rank'),
        sa.UniqueConstraint('game_id', 'entry_id', name='uq_giveaway_claims_entry'),
        sa.UniqueConstraint('token_digest'),
    )
    op.create_index('ix_giveaway_claims_status_expires', 'giveaway_claims', ['status', 'expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_giveaway_claims_status_expires', table_name='giveaway_claims')
    op.drop_table('giveaway_claims')
