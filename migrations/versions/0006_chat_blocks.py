"""chat blocks

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 12:30:00

A mute outlasts a new viewer id: a chat message keeps who wrote it (account, digests of the browser's cookie
and of the address), and a mute blocks those too, or a display name (issue 16).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('device', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=32), nullable=True))
    op.create_table(
        'chat_blocks',
        sa.Column('show_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=64), nullable=False),
        sa.Column('because', sa.String(length=64), nullable=False),
        sa.Column('blocked_by', sa.String(length=32), nullable=False),
        sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['show_id'], ['shows.id']),
        sa.PrimaryKeyConstraint('show_id', 'kind', 'value'),
    )
    with op.batch_alter_table('chat_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_blocks_because'), ['because'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chat_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_blocks_because'))
    op.drop_table('chat_blocks')
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('device')
        batch_op.drop_column('account_id')
