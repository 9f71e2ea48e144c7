"""A giveaway's prizes after the draw: each winner's claim (its link, its mail, its order at price 0), and the
pass-on of an unclaimed prize down the ranking.

A claim link's token is the claim's id signed with the app's secret (itsdangerous, a salt of its own), so the
server can give it again (the winner's `giveaway.won` and mail) while the database keeps only its SHA-256. Every
move of a claim is one conditional UPDATE of its status (`offered` → `claimed` or `passed`), so two nodes, or two
clicks, never both win: the prize's unit, taken from stock when the giveaway started, becomes exactly one order,
or passes to the next entry of the ranking, or (the ranking exhausted) goes back to stock.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.letters import letter
from server.catalog.products import Catalog
from server.commerce.asks import fingerprint, idempotency_key
from server.commerce.feed import CommerceFeed
from server.commerce.orders import Orders
from server.commerce.stock import StockGate, give_in_db
from server.errors import Conflict, DomainError, NotFound
from server.infra.db import Database
from server.infra.ids import as_utc, iso, new_id, utcnow
from server.infra.mail import Mailer, compose
from server.infra.sql import insert_new
from server.links import Links
from server.live.interactions.giveaways.draw import ALGORITHM, ranking
from server.models import Product, Show, Variant
from server.models.commerce import Order
from server.models.games import ClaimIn, Game, GameEntry, GiveawayClaim

log = logging.getLogger("vitrine.giveaways")

PROVIDER = "giveaway"  # a claimed prize's order: paid at price 0, by nobody's money


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _not_found() -> NotFound:
    return NotFound("no prize to claim with this link", code="claim_not_found")


class Claims:
    def __init__(self, *, db: Database, gate: StockGate, feed: CommerceFeed, orders: Orders, links: Links,
                 mailer: Mailer, sender: str, secret_key: str, claim_s: int) -> None:
        self.db = db
        self.gate = gate
        self.feed = feed
        self.orders = orders
        self.links = links
        self.mailer = mailer
        self.sender = sender
        self.claim_s = claim_s
        self._signer = URLSafeSerializer(secret_key, salt="vitrine.giveaway-claim")

    # --- links ------------------------------------------------------------------------------------

    def token(self, claim_id: str) -> str:
        return str(self._signer.dumps(claim_id))

    def url(self, claim_id: str) -> str:
        return f"{self.links.base}/claim/{self.token(claim_id)}"

    async def _by_token(self, session: AsyncSession, token: str) -> GiveawayClaim:
        try:
            claim_id = self._signer.loads(token) if len(token) <= 200 else None
        except BadSignature:
            claim_id = None
        if not isinstance(claim_id, str):
            raise _not_found()
        claim = (await session.exec(
            select(GiveawayClaim).where(GiveawayClaim.token_digest == _digest(token))
        )).first()
        if claim is None or claim.id != claim_id:
            raise _not_found()
        return claim

    # --- the draw ---------------------------------------------------------------------------------

    async def offer(self, session: AsyncSession, *, game: Game, entry_id: str, rank: int) -> None:
        """In the caller's transaction: the prize offered to this entry, for GIVEAWAY_CLAIM_S."""
        now = utcnow()
        claim_id = new_id("clm")
        session.add(GiveawayClaim(id=claim_id, game_id=game.id, entry_id=entry_id, rank=rank,
                                  token_digest=_digest(self.token(claim_id)), offered_at=now,
                                  expires_at=now + timedelta(seconds=self.claim_s)))

    async def give_back(self, session: AsyncSession, game: Game, units: int) -> None:
        """In the caller's transaction: prize units nobody will have back on sale (the gate and the shows hear
        it now; should the transaction fail, the gate is rebuilt from the database by the till, as ever)."""
        if units <= 0:
            return
        prize = game.spec["prize"]
        left = await give_in_db(session, variant_id=prize["variant_id"], quantity=units)
        await self.gate.give([(prize["variant_id"], units)])
        self.feed.note_stock(product_id=prize["product_id"], variant_id=prize["variant_id"], available=left)

    async def won(self, session: AsyncSession, game: Game, voters: set[str]) -> dict[str, str]:
        """The claim links of these players who hold a prize of this game now, by voter."""
        if not voters:
            return {}
        rows = (await session.exec(
            select(GiveawayClaim.id, GameEntry.voter).join(GameEntry, col(GameEntry.id) == GiveawayClaim.entry_id)
            .where(GiveawayClaim.game_id == game.id, GiveawayClaim.status == "offered",
                   col(GameEntry.voter).in_(list(voters)))
        )).all()
        return {voter: self.url(claim_id) for claim_id, voter in rows}

    async def passed_on(self, voters: dict[str, set[str]], *, told: set[str]) -> list[tuple[str, str, str]]:
        """(game, voter, claim) of the prizes offered to these players of these games after a pass-on (a rank past
        the giveaway's number of winners), except the claims in `told`."""
        async with self.db.session() as session:
            rows = (await session.exec(
                select(GiveawayClaim.id, GiveawayClaim.rank, GameEntry.voter, Game)
                .join(GameEntry, col(GameEntry.id) == GiveawayClaim.entry_id)
                .join(Game, col(Game.id) == GiveawayClaim.game_id)
                .where(col(GiveawayClaim.game_id).in_(list(voters)), GiveawayClaim.status == "offered")
            )).all()
        return [(game.id, voter, claim_id) for claim_id, rank, voter, game in rows
                if rank > game.spec["winners"] and claim_id not in told and voter in voters.get(game.id, ())]

    # --- the sweep: mails, then prizes passed on --------------------------------------------------

    async def sweep(self) -> None:
        await self.pass_due()
        await self.mail_due()

    async def mail_due(self, *, limit: int = 50) -> int:
        """Each offered prize's mail, sent once: a conditional UPDATE decides which node sends it (a failed
        send is tried again by the next sweep)."""
        async with self.db.session() as session:
            due = (await session.exec(
                select(GiveawayClaim.id).where(GiveawayClaim.status == "offered",
                                               col(GiveawayClaim.mailed_at).is_(None)).limit(limit)
            )).all()
        sent = 0
        for claim_id in due:
            async with self.db.session() as session:
                taken = (await session.exec(
                    sa.update(GiveawayClaim).where(col(GiveawayClaim.id) == claim_id,
                                                   col(GiveawayClaim.mailed_at).is_(None))
                    .values(mailed_at=utcnow()).returning(col(GiveawayClaim.id))
                )).first()
                await session.commit()
                if taken is None:
                    continue
                claim = await session.get(GiveawayClaim, claim_id)
                assert claim is not None
                mail = await self._letter(session, claim)
            try:
                await self.mailer.send(mail)
                sent += 1
            except DomainError:
                async with self.db.session() as session:
                    await session.exec(sa.update(GiveawayClaim).where(col(GiveawayClaim.id) == claim_id)
                                       .values(mailed_at=None))
                    await session.commit()
        return sent

    async def _letter(self, session: AsyncSession, claim: GiveawayClaim) -> Any:
        entry = await session.get(GameEntry, claim.entry_id)
        game = await session.get(Game, claim.game_id)
        assert entry is not None and entry.email and game is not None
        show = await session.get(Show, game.show_id)
        prize = game.spec["prize"]
        label = f"{prize.get('title', '')} ({prize.get('variant_label', '')})".replace(" ()", "")
        until = as_utc(claim.expires_at).strftime("%Y-%m-%d %H:%M")
        mail = letter("giveaway_won", lang=None, name=entry.name or "", show=show.title if show else "",
                      prize=label, link=self.url(claim.id), until=until)
        return compose(sender=self.sender, to=entry.email, subject=mail.subject, text=mail.text, lang=mail.lang)

    async def pass_due(self, *, limit: int = 100) -> int:
        """Prizes unclaimed past their time pass to the next entry of the ranking (a claim of its own, mailed by
        the next sweep), or back to stock when the ranking is exhausted. Safe on every node at once: the UPDATE
        that marks a claim passed decides who passes it on, and the unique rank decides two passes of one game."""
        async with self.db.session() as session:
            due = (await session.exec(
                select(GiveawayClaim.id).where(GiveawayClaim.status == "offered",
                                               col(GiveawayClaim.expires_at) <= utcnow()).limit(limit)
            )).all()
        passed = 0
        for claim_id in due:
            try:
                passed += await self._pass(claim_id)
            except IntegrityError:  # another node passed a prize of the same game on: the next sweep goes on
                continue
        return passed

    async def _pass(self, claim_id: str) -> int:
        async with self.db.session() as session:
            row = (await session.exec(
                sa.update(GiveawayClaim).where(col(GiveawayClaim.id) == claim_id,
                                               col(GiveawayClaim.status) == "offered",
                                               col(GiveawayClaim.expires_at) <= utcnow())
                .values(status="passed").returning(col(GiveawayClaim.game_id))
                .execution_options(synchronize_session=False)
            )).first()
            if row is None:
                await session.rollback()
                return 0
            game = await session.get(Game, str(row[0]))
            assert game is not None and game.seed is not None
            entries = (await session.exec(select(GameEntry.id).where(GameEntry.game_id == game.id))).all()
            last = (await session.exec(
                select(sa.func.max(GiveawayClaim.rank)).where(GiveawayClaim.game_id == game.id)
            )).one()
            order = ranking(game.seed, entries)
            if int(last or 0) < len(order):
                await self.offer(session, game=game, entry_id=order[int(last or 0)], rank=int(last or 0) + 1)
            else:
                await self.give_back(session, game, 1)
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                raise
            return 1

    # --- the winner's side ------------------------------------------------------------------------

    async def read(self, *, token: str) -> dict[str, Any]:
        async with self.db.session() as session:
            claim = await self._by_token(session, token)
            game = await session.get(Game, claim.game_id)
            entry = await session.get(GameEntry, claim.entry_id)
            assert game is not None and entry is not None
            prize = game.spec["prize"]
            products = await Catalog.load(session, [prize["product_id"]])
        status = claim.status
        if status == "offered" and as_utc(claim.expires_at) <= utcnow():
            status = "expired"  # the next sweep passes it on
        return {"giveaway_id": game.id, "show_id": game.show_id,
                "prize": {"product": products[0] if products else None, "variant_id": prize["variant_id"]},
                "winner_name": entry.name, "status": status, "expires_at": iso(claim.expires_at),
                "order_id": claim.order_id}

    async def claim(self, *, token: str, data: ClaimIn, key: str) -> tuple[dict[str, Any], bool]:
        """The prize as an order at price 0, paid, holding the unit the start took; (order, replayed). The same
        Idempotency-Key answers with the same order."""
        idempotency_key(key)
        async with self.db.session() as session:
            claim = await self._by_token(session, token)
            digest = fingerprint(data, claim=claim.id)
            replay = await self._replay(session, claim, key, digest)
            if replay is not None:
                return replay, True
            game = await session.get(Game, claim.game_id)
            assert game is not None
            prize = game.spec["prize"]
            product = await session.get(Product, prize["product_id"])
            variant = await session.get(Variant, prize["variant_id"])
            assert product is not None and variant is not None
            now = utcnow()
            order = Order(id=new_id("ord"), status="paid", product_id=product.id, variant_id=variant.id,
                          seller_id=product.seller_id, quantity=1, unit_amount=0, discount_amount=0, total_amount=0,
                          currency=product.currency, show_id=game.show_id, buyer_name=data.buyer.name,
                          buyer_email=data.buyer.email, address=data.buyer.address.model_dump(),
                          idempotency_key=key, request_hash=digest, payment_provider=PROVIDER, created_at=now,
                          paid_at=now)
            fields = {c.name: getattr(order, c.name) for c in Order.__table__.columns}  # type: ignore[attr-defined]
            inserted = await insert_new(session, Order, [fields], unique="idempotency_key")
            if not inserted:  # the same key's first attempt committed meanwhile
                await session.rollback()
                replay = await self._replay(session, claim, key, digest)
                if replay is None:
                    raise Conflict("this Idempotency-Key is in use", code="idempotency_key_in_use")
                return replay, True
            taken = (await session.exec(
                sa.update(GiveawayClaim).where(col(GiveawayClaim.id) == claim.id,
                                               col(GiveawayClaim.status) == "offered",
                                               col(GiveawayClaim.expires_at) > now)
                .values(status="claimed", claimed_at=now, order_id=order.id).returning(col(GiveawayClaim.id))
                .execution_options(synchronize_session=False)  # SQLite's times are naive: no evaluation in Python
            )).first()
            if taken is None:
                await session.rollback()
                await session.refresh(claim)
                if claim.status == "claimed":
                    raise Conflict("this prize was claimed already", code="already_claimed")
                raise Conflict("the time to claim this prize is over: it passed to the next entry of the draw",
                               code="claim_expired")
            await session.commit()
            return self.orders.public(order, product=product, variant=variant, token=True), False

    async def _replay(self, session: AsyncSession, claim: GiveawayClaim, key: str,
                      digest: str) -> dict[str, Any] | None:
        order = (await session.exec(select(Order).where(Order.idempotency_key == key))).first()
        if order is None:
            return None
        if order.id != claim.order_id or order.request_hash != digest:
            raise DomainError("this Idempotency-Key was used for another request", code="idempotency_key_reused",
                              status=422)
        product = await session.get(Product, order.product_id)
        variant = await session.get(Variant, order.variant_id)
        return self.orders.public(order, product=product, variant=variant, token=True)


def proof_of(game: Game, entries: Sequence[str], claims: Sequence[GiveawayClaim]) -> dict[str, Any]:
    """What anyone may check of a drawn giveaway (README's "Giveaway draws anyone can check")."""
    ranked = sorted(claims, key=lambda c: c.rank)
    return {"giveaway_id": game.id, "commitment": game.commitment, "seed": game.seed,
            "entries": sorted(entries), "winners": [c.entry_id for c in ranked if c.status != "passed"],
            "passed": [c.entry_id for c in ranked if c.status == "passed"], "algorithm": ALGORITHM}
