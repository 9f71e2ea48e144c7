"""Giveaways as a game kind (the prize's units taken at the start, the commit-reveal draw at the end, the claim
links of the winners) and a live interaction: POST /api/shows/{id}/giveaways, the `enter` frame and its HTTP
twin, the proof, the claims."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.accounts.auth import Auth
from server.commerce.asks import idempotency_key, sold_out
from server.commerce.stock import take_in_db
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.infra import http
from server.infra.openapi import operation
from server.infra.sql import fetch
from server.live.interactions.base import FrameHandler, Interaction
from server.live.interactions.games.interaction import GamesInteraction, Players, voter_of
from server.live.interactions.games.kind import Counts, GameKind
from server.live.interactions.giveaways.claims import Claims, proof_of
from server.live.interactions.giveaways.draw import commitment, new_seed, ranking
from server.live.interactions.giveaways.events import GiveawayDrawn, GiveawayEntries, GiveawayStarted
from server.live.session import Refused, Session
from server.models import Product, ShowProduct, Variant
from server.models.answers import ClaimOut, EntryOut, GameOut, OrderOut, ProofOut
from server.models.games import ClaimIn, EntryIn, Game, GameEntry, GiveawayClaim, GiveawayIn
from server.realtime.events import Event, reply_frame

KIND = "giveaway"


def won_frame(game_id: str, claim_url: str) -> bytes:
    return reply_frame("giveaway.won", {"giveaway_id": game_id, "claim_url": claim_url})


def check_eligibility(eligibility: str) -> None:
    """Who may enter, decided once at the start: `followers` waits for follows (another issue)."""
    if eligibility != "everyone":
        raise InvalidInput("only `everyone` may enter a giveaway for now: follows come with a later release",
                           code="not_supported")


def public_viewer(voter: str) -> str | None:
    """A winner as the draw shows it: its viewer id, never an account's id (nor anything of its account)."""
    return voter if voter.startswith("vwr_") else None


class GiveawayKind(GameKind):
    kind = KIND
    prefix = "giv"
    taken = "already_entered"
    taken_message = "you have already entered this giveaway (one entry per viewer and per email)"

    def __init__(self, claims: Claims) -> None:
        self.claims = claims

    def started(self, game: dict[str, Any]) -> Event:
        return GiveawayStarted(giveaway=game)

    def live(self, game: Game, counts: Counts) -> dict[str, Any]:
        return {"count": sum(counts.values())}

    def progress(self, game: Game, counts: Counts) -> Event:
        return GiveawayEntries(giveaway_id=game.id, count=sum(counts.values()))

    async def opening(self, session: AsyncSession, game: Game) -> None:
        """The prize is a variant of one of the show's products; its units, one per winner, leave the stock now
        (the start's transaction), and the seed is chosen and committed to."""
        prize = game.spec["prize"]
        carried = (await session.exec(select(ShowProduct.product_id).where(
            ShowProduct.show_id == game.show_id, ShowProduct.product_id == prize["product_id"]))).first()
        if carried is None:
            raise InvalidInput("the prize is one of this show's products", code="product_not_in_show")
        variant = await fetch(session, Variant, prize["variant_id"])
        product = await session.get(Product, prize["product_id"])
        if variant is None or product is None or variant.product_id != product.id:
            raise InvalidInput("the prize's variant_id is one of its product's variants", code="variant_not_found")
        if await take_in_db(session, variant_id=variant.id, quantity=game.spec["winners"]) is None:
            raise sold_out()
        game.spec = {**game.spec, "prize": {**prize, "title": product.title, "variant_label": variant.label,
                                            "image": product.images[0] if product.images else None}}
        game.seed = new_seed()
        game.commitment = commitment(game.seed)

    async def finish(self, session: AsyncSession, game: Game, counts: Counts) -> dict[str, Any]:
        """The draw: the ranking of every entry by the seed, the first `winners` offered the prize; units nobody
        won go back to stock at once."""
        assert game.seed is not None
        entries = {e.id: e for e in (await session.exec(select(GameEntry).where(GameEntry.game_id == game.id))).all()}
        chosen = ranking(game.seed, entries)[:game.spec["winners"]]
        for rank, entry_id in enumerate(chosen, start=1):
            await self.claims.offer(session, game=game, entry_id=entry_id, rank=rank)
        await self.claims.give_back(session, game, game.spec["winners"] - len(chosen))
        drawn = [{"entry_id": e, "viewer_id": public_viewer(entries[e].voter), "name": entries[e].name}
                 for e in chosen]
        return {"seed": game.seed, "count": len(entries), "drawn": drawn}

    def ended(self, game: dict[str, Any]) -> Event:
        return GiveawayDrawn(giveaway=game, winners=game.get("drawn") or [])

    async def personal(self, session: AsyncSession, game: Game, voters: set[str]) -> dict[str, bytes]:
        won = await self.claims.won(session, game, voters)
        return {voter: won_frame(game.id, url) for voter, url in won.items()}


class Giveaways(Interaction):
    name = "giveaways"

    def __init__(self, *, games: GamesInteraction, auth: Auth, kind: GiveawayKind) -> None:
        self.games = games
        self.auth = auth
        self.kind = kind
        self.claims = kind.claims
        self._min_watch: dict[str, tuple[str, int]] = {}  # game id -> its show, its min_watch_s
        # the sockets here that entered a giveaway, by game and voter: a prize passed on to one of them is told to
        # it live (the draw's own winners hear it from the games' sweep)
        self._entrants = Players()
        self._told: set[str] = set()  # the passed-on claims told here

    def frames(self) -> Mapping[str, FrameHandler]:
        return {"enter": self.take}

    async def sweep(self) -> None:
        await self.claims.sweep()
        await self._tell_passed_on()

    async def _tell_passed_on(self) -> None:
        players = self._entrants.present()
        if not players:
            self._told.clear()
            return
        for game_id, voter, claim_id in await self.claims.passed_on(players, told=self._told):
            self._told.add(claim_id)
            self._entrants.tell(game_id, voter, won_frame(game_id, self.claims.url(claim_id)))

    # --- entries ----------------------------------------------------------------------------------

    async def take(self, session: Session, frame: dict[str, Any]) -> bytes | None:
        game_id = frame.get("giveaway_id")
        if not isinstance(game_id, str):
            raise Refused("an enter frame names its giveaway_id, a name and an email", code="invalid_frame")
        data = _entry(frame)
        await self._eligible(session.show_id, game_id, watched_s=session.watched_s())
        entry_id = await self.games.take(session, kind=KIND, game_id=game_id, name=data.name, email=data.email)
        self._entrants.add(game_id, voter_of(session), session)
        return reply_frame("giveaway.entered", {"giveaway_id": game_id, "entry_id": entry_id})

    async def _eligible(self, show_id: str, game_id: str, *, watched_s: float | None) -> None:
        """`min_watch_s`: the viewer's socket has been in the show that long, as this node measured it; over
        HTTP nobody measures it, so such a giveaway is entered from the player only."""
        known = self._min_watch.get(game_id)
        if known is None:
            async with self.games.games.db.session() as db:
                game = await fetch(db, Game, game_id[:32])
            if game is None or game.kind != KIND:
                return  # the entry is refused as unknown
            if len(self._min_watch) >= 10_000:  # games ended on other nodes are never popped here
                self._min_watch.clear()
            known = self._min_watch[game_id] = (game.show_id, int(game.spec.get("min_watch_s") or 0))
        show, need = known
        if show != show_id or need <= 0:
            return
        if watched_s is None:
            raise Forbidden(f"this giveaway is for viewers who have watched the show for {need} s: enter from the "
                            "show's player, where the server times it", code="not_eligible",
                            details={"min_watch_s": need})
        if watched_s < need:
            left = max(1, math.ceil(need - watched_s))
            raise Forbidden(f"you can enter in {left} s: this giveaway is for viewers who have watched the show "
                            f"for {need} s", code="not_eligible", details={"min_watch_s": need, "remaining_s": left})

    # --- routes -----------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        base = "/api/shows/{show_id}/giveaways"
        return [
            Route(base, self.start, methods=["POST"]),
            Route(f"{base}/{{game_id}}/end", self.end, methods=["POST"]),
            Route(f"{base}/{{game_id}}/entries", self.enter, methods=["POST"]),
            Route("/api/giveaways/{game_id}/proof", self.proof, methods=["GET"]),
            Route("/api/claims/{token}", self.read_claim, methods=["GET"]),
            Route("/api/claims/{token}", self.claim, methods=["POST"]),
        ]

    @operation("Start a giveaway: a variant of one of the show's products, one unit per winner taken from stock "
               "now; viewers get giveaway.started with the draw's commitment, and enter", answers={201: GameOut},
               body=GiveawayIn, auth="the show's host, an admin",
               errors={403: "not_show_host", 404: "show_not_found", 409: "interaction_running, show_not_live, sold_out",
                       422: "invalid_request, not_supported, product_not_in_show, variant_not_found"})
    async def start(self, request: Request) -> http.JSONResponse:
        principal = await http.bearer(request, self.auth.verify)
        data = await http.body(request, GiveawayIn)
        check_eligibility(data.eligibility)
        game = Game(id="", show_id="", created_by="", kind=KIND,
                    spec={"prize": data.prize.model_dump(), "winners": data.winners, "eligibility": data.eligibility,
                          "min_watch_s": data.min_watch_s})
        started = await self.games.games.start(principal=principal, show_id=http.path_id(request, "show_id"),
                                               game=game, duration_s=data.duration_s)
        await self._announce_stock(data.prize.product_id, data.prize.variant_id)
        return http.JSONResponse(started, status_code=201)

    async def _announce_stock(self, product_id: str, variant_id: str) -> None:
        await self.claims.gate.sync([variant_id], force=True)
        async with self.games.games.db.session() as session:
            variant = await session.get(Variant, variant_id)
        if variant is not None:
            self.claims.feed.note_stock(product_id=product_id, variant_id=variant_id, available=variant.stock)

    @operation("Draw a running giveaway now; viewers get giveaway.drawn, each winner giveaway.won",
               answers={200: GameOut}, auth="the show's host, an admin",
               errors={403: "not_show_host", 404: "show_not_found, interaction_not_found"})
    async def end(self, request: Request) -> http.JSONResponse:
        return await self.games.end(request, kind=KIND)

    @operation("The HTTP twin of the socket's enter frame: one entry per viewer (its account when signed in, else "
               "the snapshot's viewer_token) and per email; a giveaway with min_watch_s is entered from the player",
               answers={201: EntryOut}, body=EntryIn,
               errors={401: "viewer_required", 403: "not_eligible", 404: "interaction_not_found",
                       409: "already_entered, interaction_ended, show_not_live", 422: "invalid_request"})
    async def enter(self, request: Request) -> http.JSONResponse:
        data = await http.body(request, EntryIn)
        voter = await self.games.voter(request, data.viewer_token)
        show_id, game_id = http.path_id(request, "show_id"), http.path_id(request, "game_id")
        await self._eligible(show_id, game_id, watched_s=None)
        entry_id = await self.games.games.enter(kind=KIND, show_id=show_id, game_id=game_id, voter=voter,
                                                name=data.name, email=data.email)
        return http.JSONResponse({"giveaway_id": game_id, "entry_id": entry_id}, status_code=201)

    @operation("A drawn giveaway's proof: the seed behind its commitment, every entry id, the winners in rank "
               "order (and the entries a prize passed on from), and the algorithm to recompute them",
               answers={200: ProofOut}, errors={404: "interaction_not_found", 409: "interaction_running"})
    async def proof(self, request: Request) -> http.JSONResponse:
        game_id = http.path_id(request, "game_id")
        async with self.games.games.db.session() as session:
            game = await fetch(session, Game, game_id)
            if game is None or game.kind != KIND:
                raise NotFound(f"no giveaway {game_id}", code="interaction_not_found")
            if game.status == "running":
                raise Conflict("the giveaway has not been drawn yet: its proof comes with the draw",
                               code="interaction_running")
            entries = (await session.exec(select(GameEntry.id).where(GameEntry.game_id == game.id))).all()
            claims = (await session.exec(select(GiveawayClaim).where(GiveawayClaim.game_id == game.id)
                                         .order_by(col(GiveawayClaim.rank)))).all()
        return http.JSONResponse(proof_of(game, entries, claims))

    @operation("A giveaway prize's claim, for whoever holds its link: the prize, the winner's name, its state "
               "(offered, claimed, expired, passed) and until when it may be claimed", answers={200: ClaimOut},
               errors={404: "claim_not_found"})
    async def read_claim(self, request: Request) -> http.JSONResponse:
        return http.JSONResponse(await self.claims.read(token=str(request.path_params["token"])))

    @operation("Claim a giveaway's prize: an order at price 0, paid, delivered to this address (the unit was set "
               "aside when the giveaway started); the same Idempotency-Key returns the same order",
               answers={201: OrderOut}, body=ClaimIn,
               errors={404: "claim_not_found", 409: "already_claimed, claim_expired, idempotency_key_in_use",
                       422: "invalid_request, idempotency_key_required, invalid_idempotency_key, "
                            "idempotency_key_reused"},
               headers={"Idempotency-Key": ("a random string of 8 to 100 characters that makes a retry safe", True)})
    async def claim(self, request: Request) -> Response:
        key = idempotency_key(request.headers.get("idempotency-key"))
        data = await http.body(request, ClaimIn)
        order, replayed = await self.claims.claim(token=str(request.path_params["token"]), data=data, key=key)
        return http.JSONResponse(order, status_code=201, headers={"idempotent-replayed": "true"} if replayed else {})


def _entry(frame: dict[str, Any]) -> EntryIn:
    try:
        return EntryIn.model_validate({"name": frame.get("name"), "email": frame.get("email")})
    except (ValidationError, ValueError):
        raise Refused("an enter frame gives a name (1 to 80 characters) and a valid email",
                      code="invalid_request") from None

