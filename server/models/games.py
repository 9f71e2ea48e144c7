"""The show's games (polls, quizzes, giveaways): one row per game, one row per viewer's vote, answer or entry.

A game's public fields are in its columns and in `spec` (what each kind adds: a giveaway's prize, a quiz's
reward); what must stay secret until the end is in `answer` (a quiz's right option) and `seed` (a giveaway's
draw). `result` is written once, when the game ends. One running game per kind and show is held by a partial
unique index; one entry per viewer (and, for giveaways, per email) by unique constraints.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field, field_validator, model_validator
from sqlmodel import Field as Column
from sqlmodel import SQLModel

from server.infra.ids import as_utc, iso
from server.models.commerce import BuyerIn
from server.models.common import Email, Schema, optional_timestamp, timestamp

KINDS = ("poll", "quiz", "giveaway")
RUNNING = sa.text("status = 'running'")


class Game(SQLModel, table=True):
    __tablename__ = "games"
    __table_args__ = (
        sa.Index("ux_games_running", "show_id", "kind", unique=True, sqlite_where=RUNNING, postgresql_where=RUNNING),
        sa.Index("ix_games_show_started", "show_id", "started_at"),
    )
    id: str = Column(primary_key=True, max_length=32)
    kind: str = Column(max_length=16)
    show_id: str = Column(foreign_key="shows.id", max_length=32)
    status: str = Column(default="running", max_length=16, index=True)
    question: str | None = Column(default=None, max_length=200)
    options: list[dict[str, str]] = Column(default_factory=list, sa_type=sa.JSON)
    spec: dict[str, Any] = Column(default_factory=dict, sa_type=sa.JSON)
    answer: str | None = Column(default=None, max_length=8)  # a quiz's right option: secret until the end
    seed: str | None = Column(default=None, max_length=64)  # a giveaway's draw seed: secret until the draw
    commitment: str | None = Column(default=None, max_length=64)
    result: dict[str, Any] | None = Column(default=None, sa_type=sa.JSON)
    created_by: str = Column(foreign_key="users.id", max_length=32)
    started_at: datetime = timestamp()
    ends_at: datetime = timestamp()
    ended_at: datetime | None = optional_timestamp()
    end_reason: str | None = Column(default=None, max_length=16)


class GameEntry(SQLModel, table=True):
    """A viewer's vote (poll), answer (quiz) or entry (giveaway). `voter` is the account's id when the viewer is
    signed in, its viewer id otherwise."""

    __tablename__ = "game_entries"
    __table_args__ = (
        sa.UniqueConstraint("game_id", "voter", name="uq_game_entries_voter"),
        sa.UniqueConstraint("game_id", "email", name="uq_game_entries_email"),
    )
    id: str = Column(primary_key=True, max_length=32)
    game_id: str = Column(foreign_key="games.id", max_length=32)
    voter: str = Column(max_length=64)
    option_id: str | None = Column(default=None, max_length=8)
    name: str | None = Column(default=None, max_length=80)
    email: str | None = Column(default=None, max_length=254)  # a giveaway's: never published
    reward: str | None = Column(default=None, max_length=64)  # a quiz winner's voucher code, a giveaway's claim
    created_at: datetime = timestamp()


class GiveawayClaim(SQLModel, table=True):
    """A giveaway's prize offered to one entry of its ranking: `offered` until it is claimed (an order at price 0)
    or its time runs out (`passed`: the next entry of the ranking gets a claim of its own). The claim link's token
    is random; only its SHA-256 is kept."""

    __tablename__ = "giveaway_claims"
    __table_args__ = (
        sa.UniqueConstraint("game_id", "rank", name="uq_giveaway_claims_rank"),
        sa.UniqueConstraint("game_id", "entry_id", name="uq_giveaway_claims_entry"),
        sa.Index("ix_giveaway_claims_status_expires", "status", "expires_at"),
    )
    id: str = Column(primary_key=True, max_length=32)
    game_id: str = Column(foreign_key="games.id", max_length=32)
    entry_id: str = Column(foreign_key="game_entries.id", max_length=32)
    rank: int  # 1: the best entry of the ranking
    token_digest: str = Column(max_length=64, unique=True)
    status: str = Column(default="offered", max_length=16)  # offered, claimed, passed
    offered_at: datetime = timestamp()
    expires_at: datetime = timestamp()
    claimed_at: datetime | None = optional_timestamp()
    mailed_at: datetime | None = optional_timestamp()  # the winner's mail taken to be sent (by one node)
    order_id: str | None = Column(default=None, foreign_key="orders.id", max_length=32)


def option_ids(count: int) -> list[str]:
    return [f"o{i + 1}" for i in range(count)]


def game_public(game: Game) -> dict[str, Any]:
    """The game as every viewer may see it: never its answer or its seed while it runs."""
    ends = as_utc(game.ends_at)
    data: dict[str, Any] = {
        "id": game.id, "kind": game.kind, "show_id": game.show_id, "status": game.status,
        "started_at": iso(game.started_at), "ends_at": iso(ends), "ends_at_ms": int(ends.timestamp() * 1000),
        "ended_at": iso(game.ended_at), "end_reason": game.end_reason,
    }
    if game.question is not None:
        data["question"] = game.question
    if game.options:
        data["options"] = game.options
    if game.commitment is not None:
        data["commitment"] = game.commitment
    data.update(game.spec)
    if game.result is not None:
        data.update(game.result)
    return data


# --- API schemas ----------------------------------------------------------------------------------


class BallotIn(Schema):
    question: str = Field(min_length=1, max_length=200)
    options: list[str] = Field(min_length=2, max_length=6)
    duration_s: int = Field(ge=5, le=3600)

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str]) -> list[str]:
        cleaned = [o.strip() for o in options]
        if any(not 1 <= len(o) <= 80 for o in cleaned):
            raise ValueError("each option is 1 to 80 characters")
        if len({o.casefold() for o in cleaned}) != len(cleaned):
            raise ValueError("two options say the same thing")
        return cleaned


class PollIn(BallotIn):
    pass


class QuizIn(BallotIn):
    answer: int = Field(ge=0, le=5, description="the index of the right option in `options`")
    reward_voucher_id: str | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> QuizIn:
        if self.answer >= len(self.options):
            raise ValueError("answer is the index of one of the options")
        return self


class VoteIn(Schema):
    option_id: str = Field(min_length=1, max_length=8)
    viewer_token: str | None = Field(default=None, min_length=1, max_length=200,
                                     description="the snapshot's you.viewer_token, when not signed in")


class EntryIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    email: Email = Field(max_length=254)
    viewer_token: str | None = Field(default=None, min_length=1, max_length=200)


class PrizeIn(Schema):
    product_id: str = Field(min_length=1, max_length=32)
    variant_id: str = Field(min_length=1, max_length=32)


class GiveawayIn(Schema):
    prize: PrizeIn
    winners: int = Field(ge=1, le=50, description="units taken from stock at the start, one per winner")
    duration_s: int = Field(ge=10, le=3600)
    eligibility: Literal["everyone", "followers"] = "everyone"
    min_watch_s: int = Field(default=0, ge=0, le=3600,
                             description="how long the viewer's socket must have been in the show to enter")


class ClaimIn(Schema):
    buyer: BuyerIn
