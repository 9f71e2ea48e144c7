"""The show's games, their common life: a host starts one (one running per kind and show), viewers enter it
(one entry per viewer, taken in one conditional INSERT), the figures go out paced, and it ends once, by its
time, the host or the show's end, over every node.

Exactness over nodes: an entry is inserted only while its game runs (`INSERT … SELECT … WHERE running`, which
on PostgreSQL also takes a share lock on the game's row), and the end's UPDATE of that row waits for those
inserts, so the final figures, counted in the end's transaction, are exactly the entries accepted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.errors import Conflict, InvalidInput, NotFound
from server.infra.db import Database
from server.infra.ids import as_utc, new_id, utcnow
from server.infra.sql import dialect_insert, fetch, plausible_id
from server.live.interactions.games.kind import Counts, GameKind
from server.live.shows import driven, require_live
from server.models import Show
from server.models.games import Game, GameEntry, game_public
from server.realtime.bus import Bus
from server.realtime.events import Event
from server.realtime.publisher import Publisher

K = TypeVar("K", bound=GameKind)
PACE_MS = 250  # a game's paced updates are 250 ms apart or more by their ts, over every node: 4 or fewer a second


_ENTRY_COLUMNS = ("id", "game_id", "voter", "option_id", "name", "email", "created_at")
_ENTERING: dict[str, Any] = {}  # the entry's statement, built once per dialect (a vote is the hot path)


def _entering(session: AsyncSession) -> Any:
    """`INSERT INTO game_entries … SELECT :values FROM games WHERE it runs, its show is live, ON CONFLICT DO
    NOTHING`: the entry is taken only while its game runs. On PostgreSQL the SELECT takes a share lock on the
    game's row, so the end's UPDATE waits for the entries under way. Its values are bound parameters."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement = _ENTERING.get(dialect)
    if statement is None:
        table: sa.Table = GameEntry.__table__  # type: ignore[attr-defined]
        running = (
            select(*(sa.bindparam(k, type_=table.c[k].type) for k in _ENTRY_COLUMNS))
            .select_from(Game)
            .where(col(Game.id) == sa.bindparam("game_id"), Game.status == "running",
                   col(Game.ends_at) > sa.bindparam("created_at"),
                   sa.exists().where(col(Show.id) == Game.show_id, col(Show.status) == "live"))
            .with_for_update(read=True, of=Game)
        )
        statement = _ENTERING[dialect] = (
            dialect_insert(session, GameEntry).from_select(list(_ENTRY_COLUMNS), running).on_conflict_do_nothing()
        )
    return statement


class Games:
    def __init__(self, *, db: Database, publisher: Publisher, bus: Bus, kinds: Sequence[GameKind]) -> None:
        self.db = db
        self.publisher = publisher
        self.bus = bus
        self.kinds = {k.kind: k for k in kinds}
        self._options: dict[str, tuple[str, str, frozenset[str]]] = {}  # game id -> show, kind, option ids
        self._dirty: dict[str, str] = {}  # games with entries taken here since their last update -> show id

    def kind(self, cls: type[K]) -> K:
        """The kind of this class among the ones played."""
        return next(k for k in self.kinds.values() if isinstance(k, cls))

    # --- the host ---------------------------------------------------------------------------------

    async def start(self, *, principal: Principal, show_id: str, game: Game, duration_s: int) -> dict[str, Any]:
        """Store and announce the game the kind's route made (its question, options, spec)."""
        kind = self.kinds[game.kind]
        async with self.db.session() as session:
            show = await driven(session, principal, show_id, lock=True)  # one start at a time per show
            require_live(show)
            if (await session.exec(select(Game.id).where(Game.show_id == show_id, Game.kind == game.kind,
                                                         Game.status == "running"))).first() is not None:
                raise Conflict(f"a {game.kind} is already running in this show: end it first",
                               code="interaction_running")
            now = utcnow()
            game.id, game.show_id, game.created_by, game.started_at = new_id(kind.prefix), show_id, principal.id, now
            game.ends_at = now + timedelta(seconds=duration_s)
            await kind.opening(session, game)
            session.add(game)
            try:
                await session.commit()
            except IntegrityError:  # another node started one between the check and the commit
                raise Conflict(f"a {game.kind} is already running in this show", code="interaction_running") from None
            public = game_public(game)
            public.update(kind.live(game, {}))
        await self.publisher.publish(show_id, kind.started(public))
        return public

    async def stop(self, *, principal: Principal, show_id: str, kind: str, game_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            await self._find(session, show_id=show_id, kind=kind, game_id=game_id)
        await self.close(game_id, reason="host")
        async with self.db.session() as session:
            game = await session.get(Game, game_id)
            assert game is not None
            return game_public(game)

    # --- the viewers ------------------------------------------------------------------------------

    async def enter(self, *, kind: str, show_id: str, game_id: str, voter: str, option_id: str | None = None,
                    name: str | None = None, email: str | None = None) -> str:
        """Take one viewer's entry, once; returns the entry's id."""
        game_kind = self.kinds[kind]
        shape = self._options.get(game_id)
        if shape is None:
            async with self.db.session() as session:
                game = await self._find(session, show_id=show_id, kind=kind, game_id=game_id)
            if len(self._options) >= 10_000:  # games ended on other nodes are never popped here
                self._options.clear()
            shape = self._options[game_id] = (game.show_id, game.kind, frozenset(o["id"] for o in game.options))
        if shape[0] != show_id or shape[1] != kind:
            raise NotFound(f"no {kind} {game_id} in this show", code="interaction_not_found")
        if shape[2] and option_id not in shape[2]:
            raise InvalidInput(f"option_id must be one of {', '.join(sorted(shape[2]))}", code="invalid_option")
        entry_id = new_id("ent")
        now = utcnow()
        values = {"id": entry_id, "game_id": game_id, "voter": voter, "option_id": option_id, "name": name,
                  "email": email, "created_at": now}
        async with self.db.session() as session:
            result = await session.exec(_entering(session), params=values)
            taken = result.rowcount == 1
            await session.commit()
            if not taken:
                await self._refusal(session, game_kind, game_id=game_id, now=now)
        self._dirty[game_id] = show_id
        return entry_id

    async def _refusal(self, session: AsyncSession, kind: GameKind, *, game_id: str, now: Any) -> None:
        game = await session.get(Game, game_id)
        show = await session.get(Show, game.show_id) if game is not None else None
        if show is None or show.status != "live":
            raise Conflict("the show is not live", code="show_not_live")
        if game is None or game.status != "running" or as_utc(game.ends_at) <= now:
            raise Conflict(f"this {kind.kind} has ended", code="interaction_ended")
        raise Conflict(kind.taken_message, code=kind.taken)

    # --- reading ----------------------------------------------------------------------------------

    async def _find(self, session: AsyncSession, *, show_id: str, kind: str, game_id: str) -> Game:
        game = await fetch(session, Game, game_id)
        if game is None or game.show_id != show_id or game.kind != kind:
            raise NotFound(f"no {kind} {game_id} in this show", code="interaction_not_found")
        return game

    @staticmethod
    async def counts(session: AsyncSession, game_id: str) -> Counts:
        rows = (await session.exec(
            select(GameEntry.option_id, sa.func.count()).where(GameEntry.game_id == game_id)
            .group_by(col(GameEntry.option_id))
        )).all()
        return {option: int(n) for option, n in rows}

    async def view(self, session: AsyncSession, game: Game) -> dict[str, Any]:
        public = game_public(game)
        if game.status == "running":
            public.update(self.kinds[game.kind].live(game, await self.counts(session, game.id)))
        return public

    async def running(self, session: AsyncSession, *, show_id: str) -> list[dict[str, Any]]:
        games = (await session.exec(
            select(Game).where(Game.show_id == show_id, Game.status == "running").order_by(col(Game.started_at))
        )).all()
        return [await self.view(session, game) for game in games]

    async def listing(self, *, show_id: str) -> list[dict[str, Any]]:
        """Every game of the show, newest first (the last 100)."""
        async with self.db.session() as session:
            if not plausible_id(show_id) or await session.get(Show, show_id) is None:
                raise NotFound(f"no show {show_id}", code="show_not_found")
            games = (await session.exec(
                select(Game).where(Game.show_id == show_id)
                .order_by(col(Game.started_at).desc(), col(Game.id).desc()).limit(100)
            )).all()
            return [await self.view(session, game) for game in games]

    # --- the end ----------------------------------------------------------------------------------

    async def close(self, game_id: str, *, reason: str) -> bool:
        """End the game once (whichever node gets there first), store its result and tell every viewer."""
        async with self.db.session() as session:
            ended = (await session.exec(
                sa.update(Game).where(col(Game.id) == game_id, col(Game.status) == "running")
                .values(status="ended", ended_at=utcnow(), end_reason=reason).returning(col(Game.id))
            )).first()
            if ended is None:
                await session.rollback()
                return False
            game = await session.get(Game, game_id, populate_existing=True)
            assert game is not None
            kind = self.kinds[game.kind]
            game.result = await kind.finish(session, game, await self.counts(session, game_id))
            session.add(game)
            await session.commit()
            public = game_public(game)
        self._dirty.pop(game_id, None)
        self._options.pop(game_id, None)
        await self.publisher.publish(game.show_id, kind.ended(public))
        return True

    async def expire_due(self) -> int:
        """Games past their time, and games of shows that are no longer live."""
        now = utcnow()
        async with self.db.session() as session:
            due = (await session.exec(
                select(Game.id, Game.ends_at <= now).join(Show, col(Show.id) == Game.show_id)
                .where(Game.status == "running", sa.or_(col(Game.ends_at) <= now, col(Show.status) != "live"))
                .limit(100)
            )).all()
        ended = 0
        for game_id, timed_out in due:
            ended += await self.close(game_id, reason="time" if timed_out else "show_ended")
        return ended

    # --- paced figures ----------------------------------------------------------------------------

    async def tick(self) -> dict[str, list[Event]]:
        """Publish the figures of the games that took entries here. One node per window of PACE_MS counts a
        game (in the database, so its figures include every node's); the others keep theirs for the next
        window. The bus publishes a game's figures only PACE_MS after its previous ones by the clock that
        stamps `ts` (a count that took long can reach it just after the next window's): what it refuses
        stays to publish at a next tick. Nothing is left for the hub's own tick to publish."""
        if not self._dirty:
            return {}
        window = time.time_ns() // 1_000_000 // PACE_MS
        leading = []
        for game_id, show_id in list(self._dirty.items()):
            if await self.bus.hit(f"game:{game_id}:pace:{window}", window_s=2) == 1:
                leading.append((game_id, show_id))
                self._dirty.pop(game_id, None)
        if not leading:
            return {}
        figures: list[tuple[str, str, Event]] = []
        async with self.db.session() as session:
            for game_id, show_id in leading:
                game = await session.get(Game, game_id)
                if game is None or game.status != "running":
                    continue
                event = self.kinds[game.kind].progress(game, await self.counts(session, game_id))
                if event is not None:
                    figures.append((game_id, show_id, event))
        for game_id, show_id, event in figures:
            if await self.publisher.publish_paced(show_id, f"game:{game_id}", PACE_MS, event) is None:
                self._dirty.setdefault(game_id, show_id)
        return {}

    # --- what each player alone is told -----------------------------------------------------------

    async def personal(self, game_ids: Sequence[str], voters: dict[str, set[str]]) -> dict[str, dict[str, bytes]]:
        """For the ended games among these, the frames for their players (by game, then voter)."""
        out: dict[str, dict[str, bytes]] = {}
        async with self.db.session() as session:
            games = (await session.exec(
                select(Game).where(col(Game.id).in_(list(game_ids)), Game.status == "ended")
            )).all()
            for game in games:
                out[game.id] = await self.kinds[game.kind].personal(session, game, voters.get(game.id, set()))
        return out

    async def entries_of(self, *, voter: str, game_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """A player's own entries in these games, as each kind shows them to it."""
        async with self.db.session() as session:
            rows = (await session.exec(
                select(GameEntry, Game).join(Game, col(Game.id) == GameEntry.game_id)
                .where(col(GameEntry.game_id).in_(list(game_ids)), GameEntry.voter == voter)
            )).all()
            return {game.id: await self.kinds[game.kind].yours(
                session, game, {"entry_id": entry.id, "option_id": entry.option_id}) for entry, game in rows}
