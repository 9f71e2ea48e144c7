"""Mutes that outlast a new viewer id (issue 16: a muted anonymous viewer came back without `viewer=` and
chatted at once). A muted viewer is also blocked by what its messages say of it: its account when it was
signed in; for an anonymous viewer its browser (a digest of the `vt_vw` cookie the pages set) and its
address (a digest too). An address is other people's too (a shop's wifi, a phone carrier's): it holds only
clients that come without the pages' cookie, never another browser, so that muting one of two "Léa"s in
a pop-up store leaves the other free. The host can also block a display name, whoever writes under it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.auth import Principal
from server.infra.db import Database
from server.infra.sql import insert_ignore
from server.live.shows import driven
from server.models import ChatBlock, ChatMessage, ShowMute


@dataclass(frozen=True, slots=True)
class Writer:
    """Who posts a message, as far as the socket knows: the viewer id, the account when signed in, and keyed
    digests of its browser's cookie and of its address."""

    viewer_id: str
    account_id: str | None = None
    device: str | None = None
    address: str | None = None

    def blocks(self) -> list[tuple[str, str]]:
        """What muting this writer holds: its account, its browser, and its address when anonymous (an address
        is another person's too: never for a signed-in viewer)."""
        return self._kinds(address=self.account_id is None)

    def marks(self) -> list[tuple[str, str]]:
        """What a message is checked against: its account and browser; its address only when it has
        neither (a client without the pages' cookie), as another browser behind it is someone else."""
        return self._kinds(address=self.account_id is None and self.device is None)

    def _kinds(self, *, address: bool) -> list[tuple[str, str]]:
        found = [("account", self.account_id), ("device", self.device), ("address", self.address if address else None)]
        return [(kind, value) for kind, value in found if value]


def name_key(author: str) -> str:
    """A display name as a block compares it: `Zoé`, `ZOÉ` and ` zoé ` are one."""
    return " ".join(unicodedata.normalize("NFKC", author).casefold().split())[:64]


async def muted(session: AsyncSession, *, show_id: str, writer: Writer, author: str) -> bool:
    if await session.get(ShowMute, (show_id, writer.viewer_id)) is not None:
        return True
    marks = [*writer.marks(), ("author", name_key(author))]
    found = (await session.exec(select(ChatBlock.kind).where(
        ChatBlock.show_id == show_id,
        sa.or_(*(sa.and_(col(ChatBlock.kind) == kind, col(ChatBlock.value) == value) for kind, value in marks)),
    ).limit(1))).first()
    return found is not None


class Moderation:
    def __init__(self, *, db: Database) -> None:
        self.db = db

    async def mute(self, *, principal: Principal, show_id: str, viewer_id: str) -> None:
        """The viewer, and what its newest message in the show says of it."""
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            latest = (await session.exec(
                select(ChatMessage).where(ChatMessage.show_id == show_id, ChatMessage.viewer_id == viewer_id)
                .order_by(col(ChatMessage.created_at).desc()).limit(1))).first()
            session.add(ShowMute(show_id=show_id, viewer_id=viewer_id, muted_by=principal.id))
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()  # muted already: muting is idempotent, and so are its blocks
            if latest is not None:
                writer = Writer(viewer_id=viewer_id, account_id=latest.account_id, device=latest.device,
                                address=latest.address)
                for kind, value in writer.blocks():
                    await insert_ignore(session, ChatBlock, {"show_id": show_id, "kind": kind, "value": value,
                                                             "because": f"viewer:{viewer_id}",
                                                             "blocked_by": principal.id})
            await session.commit()

    async def unmute(self, *, principal: Principal, show_id: str, viewer_id: str) -> None:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            await session.exec(sa.delete(ShowMute).where(col(ShowMute.show_id) == show_id,
                                                         col(ShowMute.viewer_id) == viewer_id))
            await session.exec(sa.delete(ChatBlock).where(col(ChatBlock.show_id) == show_id,
                                                          col(ChatBlock.because) == f"viewer:{viewer_id}"))
            await session.commit()

    async def block_author(self, *, principal: Principal, show_id: str, author: str) -> None:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            await insert_ignore(session, ChatBlock, {"show_id": show_id, "kind": "author", "value": name_key(author),
                                                     "because": f"author:{author}"[:64], "blocked_by": principal.id})
            await session.commit()

    async def unblock_author(self, *, principal: Principal, show_id: str, author: str) -> None:
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            await session.exec(sa.delete(ChatBlock).where(col(ChatBlock.show_id) == show_id,
                                                          col(ChatBlock.kind) == "author",
                                                          col(ChatBlock.value) == name_key(author)))
            await session.commit()

    async def mutes(self, *, principal: Principal, show_id: str) -> tuple[list[str], list[str]]:
        """The muted viewer ids, and the blocked display names (as the host wrote them)."""
        async with self.db.session() as session:
            await driven(session, principal, show_id)
            viewers = (await session.exec(select(ShowMute.viewer_id).where(ShowMute.show_id == show_id))).all()
            authors = (await session.exec(select(ChatBlock.because).where(
                ChatBlock.show_id == show_id, ChatBlock.kind == "author"))).all()
        return sorted(viewers), sorted(a.removeprefix("author:") for a in authors)
