"""Quizzes as a game kind and a live interaction (POST /api/shows/{id}/quizzes, the `answer` frame). The right
option is in the game's `answer` column, which nothing shows before the end; the reward, a voucher of a seller
of the show's products, becomes one single-use code per right answerer when the quiz ends."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.commerce.vouchers import single_use_copies
from server.errors import InvalidInput
from server.live.interactions.games.ballot import Ballot
from server.live.interactions.games.kind import Counts, GameKind
from server.live.interactions.quizzes.events import QuizAnswers, QuizEnded, QuizStarted
from server.models import Product, ShowProduct
from server.models.commerce import Voucher
from server.models.games import BallotIn, Game, GameEntry, QuizIn
from server.realtime.events import Event, reply_frame


class QuizKind(GameKind):
    kind = "quiz"
    prefix = "qui"

    def started(self, game: dict[str, Any]) -> Event:
        return QuizStarted(quiz=game)

    def live(self, game: Game, counts: Counts) -> dict[str, Any]:
        return {"count": sum(counts.values())}

    def progress(self, game: Game, counts: Counts) -> Event:
        return QuizAnswers(quiz_id=game.id, count=sum(counts.values()))

    async def finish(self, session: AsyncSession, game: Game, counts: Counts) -> dict[str, Any]:
        assert game.answer is not None
        right = (await session.exec(
            select(GameEntry).where(GameEntry.game_id == game.id, GameEntry.option_id == game.answer)
            .order_by(col(GameEntry.created_at), col(GameEntry.id))
        )).all()
        voucher_id = game.spec.get("reward_voucher_id")
        if voucher_id:
            codes = await single_use_copies(session, voucher_id=voucher_id, count=len(right))
            for entry, code in zip(right, codes, strict=True):
                entry.reward = code
                session.add(entry)
        return {"correct_option_id": game.answer, "correct": len(right), "count": sum(counts.values())}

    def ended(self, game: dict[str, Any]) -> Event:
        return QuizEnded(quiz=game, correct_option_id=game["correct_option_id"], correct=game["correct"])

    async def personal(self, session: AsyncSession, game: Game, voters: set[str]) -> dict[str, bytes]:
        if not voters:
            return {}
        right = (await session.exec(
            select(GameEntry).where(GameEntry.game_id == game.id, GameEntry.option_id == game.answer,
                                    col(GameEntry.voter).in_(list(voters)))
        )).all()
        return {e.voter: reply_frame("quiz.won", {"quiz_id": game.id, "voucher_code": e.reward}) for e in right}


class Quizzes(Ballot):
    name = "quizzes"
    kind: ClassVar[GameKind] = QuizKind()
    plural = "quizzes"
    frame = "answer"
    reply = "quiz.answered"
    entries = "answers"
    schema = QuizIn
    started_summary = ("Start a quiz: a poll with one right answer, secret until the end; each right answerer may "
                       "win its own single-use code of a voucher")
    start_errors = "invalid_request, voucher_not_found"

    def game(self, data: BallotIn) -> Game:
        assert isinstance(data, QuizIn)
        game = super().game(data)
        game.answer = game.options[data.answer]["id"]
        return game

    async def opening(self, data: BallotIn, game: Game, principal: Any, show_id: str) -> None:
        assert isinstance(data, QuizIn) and isinstance(principal, Principal)
        if data.reward_voucher_id is None:
            return
        async with self.games.games.db.session() as session:
            # its id, or the code a seller gave it (what the demo prints, what a seller tells its host)
            voucher = await session.get(Voucher, data.reward_voucher_id) or (await session.exec(
                select(Voucher).where(col(Voucher.code) == data.reward_voucher_id.upper()))).first()
            sellers = set((await session.exec(
                select(Product.seller_id).join(ShowProduct, col(ShowProduct.product_id) == Product.id)
                .where(ShowProduct.show_id == show_id)
            )).all())
        if voucher is None or not (voucher.seller_id in sellers or (voucher.seller_id is None and principal.admin)):
            raise InvalidInput("the reward is a voucher of a seller of this show's products",
                               code="voucher_not_found")
        game.spec = {"reward_voucher_id": voucher.id,
                     "reward": {"kind": voucher.kind, "value": voucher.value, "currency": voucher.currency}}
