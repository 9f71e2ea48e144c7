"""the show's games: polls, quizzes, giveaways

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 20:00:00

One row per game (issue 19), one running game per kind and show (a partial unique index); one row per viewer's
vote, answer or entry, one per viewer and per email.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    op.create_table(
        'games',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('show_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('spec', sa.JSON(), nullable=False),
        sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column('seed', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('commitment', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['show_id'], ['shows.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_games_status', 'games', ['status'], unique=False)
    op.create_index('ix_games_show_started', 'games', ['show_id', 'started_at'], unique=False)
    op.create_index('ux_games_running', 'games', ['show_id', 'kind'], unique=True, sqlite_where=RUNNING,
                    postgresql_where=RUNNING)
    op.create_table(
        'game_entries',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('game_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('voter', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('option_id', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column('reward', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['game_id'], ['games.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('game_id', 'voter', name='uq_game_entries_voter'),
        sa.UniqueConstraint('game_id', 'email', name='uq_game_entries_email'),
    )


def downgrade() -> None:
    op.drop_table('game_entries')
    op.drop_index('ux_games_running', table_name='games')
    op.drop_index('ix_games_show_started', table_name='games')
    op.drop_index('ix_games_status', table_name='games')
    op.drop_table('games')
