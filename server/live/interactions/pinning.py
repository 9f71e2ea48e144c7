"""Pinning: the host pins one of the show's products and every viewer sees it at once (the pin path:
`product.pinned`, one event encoded once for every socket of every node); unpinning takes it away, and so
does pinning another: then the product that left is announced to `on_unpinned` (its flash deal ends)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from server.accounts.auth import Auth, Principal
from server.catalog.products import Catalog
from server.errors import InvalidInput
from server.infra import http
from server.infra.db import Database
from server.infra.openapi import operation
from server.infra.sql import plausible_id
from server.live.interactions.base import FrameHandler, Interaction, ShowView
from server.live.session import Refused, Session
from server.live.shows import driven, require_live
from server.models import PinIn, ShowProduct, TimelineEntry
from server.models.answers import Pinned
from server.realtime.events import Event
from server.realtime.publisher import Publisher


@dataclass(frozen=True, slots=True)
class ProductPinned(Event):
    type: ClassVar[str] = "product.pinned"
    product: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProductUnpinned(Event):
    type: ClassVar[str] = "product.unpinned"
    product_id: str | None


class Unpinned(Protocol):
    async def __call__(self, *, show_id: str, product_id: str) -> None: ...


class Pinning(Interaction):
    name = "pinning"
    show_keys: ClassVar[tuple[str, ...]] = ("pinned",)

    def __init__(self, *, db: Database, publisher: Publisher, auth: Auth, on_unpinned: Unpinned) -> None:
        self.db = db
        self.publisher = publisher
        self.auth = auth
        self.on_unpinned = on_unpinned

    async def pin(self, *, principal: Principal, show_id: str, product_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            show = await driven(session, principal, show_id)
            require_live(show)
            carried = await session.get(ShowProduct, (show.id, product_id))
            if carried is None:
                raise InvalidInput("this product is not part of the show", code="product_not_in_show")
            product = (await Catalog.load(session, [product_id]))[0]
            previous, show.pinned_product_id = show.pinned_product_id, product_id
            session.add(TimelineEntry(show_id=show.id, kind="pinned", product_id=product_id, actor_id=principal.id))
            await session.commit()
        await self.publisher.publish(show_id, ProductPinned(product=product))
        if previous is not None and previous != product_id:
            await self.on_unpinned(show_id=show_id, product_id=previous)
        return product

    async def unpin(self, *, principal: Principal, show_id: str) -> None:
        async with self.db.session() as session:
            show = await driven(session, principal, show_id)
            require_live(show)
            previous, show.pinned_product_id = show.pinned_product_id, None
            session.add(TimelineEntry(show_id=show.id, kind="unpinned", product_id=previous, actor_id=principal.id))
            await session.commit()
        await self.publisher.publish(show_id, ProductUnpinned(product_id=previous))
        if previous is not None:
            await self.on_unpinned(show_id=show_id, product_id=previous)

    async def show_part(self, view: ShowView) -> dict[str, Any]:
        pinned = view.show.pinned_product_id
        return {"pinned": next((p for p in view.products if p["id"] == pinned), None)}

    # --- the host's socket -------------------------------------------------------------------------

    def frames(self) -> Mapping[str, FrameHandler]:
        return {"pin": self.pin_frame, "unpin": self.unpin_frame}

    async def pin_frame(self, session: Session, frame: dict[str, Any]) -> bytes | None:
        product_id = frame.get("product_id")
        if not isinstance(product_id, str) or not plausible_id(product_id):
            raise Refused("product_id must be a product id", code="invalid_product_id")
        await self.pin(principal=session.driver(), show_id=session.show_id, product_id=product_id)
        return None

    async def unpin_frame(self, session: Session, frame: dict[str, Any]) -> bytes | None:
        await self.unpin(principal=session.driver(), show_id=session.show_id)
        return None

    # --- HTTP --------------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        return [Route("/api/shows/{show_id}/pin", self.pin_http, methods=["POST"]),
                Route("/api/shows/{show_id}/pin", self.unpin_http, methods=["DELETE"])]

    @operation("Pin one of the show's products while it is live", answers={200: Pinned}, body=PinIn,
               errors={404: "show_not_found", 409: "show_not_live", 422: "invalid_request, product_not_in_show"},
               auth="the show's host, an admin")
    async def pin_http(self, request: Request) -> http.JSONResponse:
        principal = await http.bearer(request, self.auth.verify)
        data = await http.body(request, PinIn)
        product = await self.pin(principal=principal, show_id=http.path_id(request, "show_id"),
                                 product_id=data.product_id)
        return http.JSONResponse({"pinned": product})

    @operation("Unpin the pinned product", answers={200: Pinned}, errors={404: "show_not_found", 409: "show_not_live"},
               auth="the show's host, an admin")
    async def unpin_http(self, request: Request) -> http.JSONResponse:
        principal = await http.bearer(request, self.auth.verify)
        await self.unpin(principal=principal, show_id=http.path_id(request, "show_id"))
        return http.JSONResponse({"pinned": None})
