"""Deals as a live interaction: the running deal in the show's view, its end by time in the sweep, and the
host's routes to start and end one."""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from server.accounts.auth import Auth
from server.infra import http
from server.infra.openapi import operation
from server.live.interactions.base import Interaction, ShowView
from server.live.interactions.deals.service import Deals
from server.models.answers import DealOut
from server.models.commerce import DealIn, deal_public


class DealsInteraction(Interaction):
    name = "deals"
    show_keys: ClassVar[tuple[str, ...]] = ("deal",)

    def __init__(self, *, deals: Deals, auth: Auth) -> None:
        self.deals = deals
        self.auth = auth

    async def show_part(self, view: ShowView) -> dict[str, Any]:
        deal = await Deals.active(view.session, show_id=view.show.id)
        return {"deal": deal_public(deal) if deal else None}

    async def sweep(self) -> None:
        await self.deals.expire_due()

    def routes(self) -> list[BaseRoute]:
        return [Route("/api/shows/{show_id}/deals", self.start, methods=["POST"]),
                Route("/api/shows/{show_id}/deals/{deal_id}/end", self.end, methods=["POST"])]

    @operation("Start a flash deal on the pinned product; viewers get deal.started", answers={201: DealOut},
               body=DealIn,
               errors={404: "show_not_found",
                       409: "deal_running, show_not_live",
                       422: "invalid_request, product_not_pinned, deal_not_cheaper, currency_mismatch"},
               auth="the show's host, an admin")
    async def start(self, request: Request) -> http.JSONResponse:
        principal = await http.bearer(request, self.auth.verify)
        data = await http.body(request, DealIn)
        deal = await self.deals.start(principal=principal, show_id=http.path_id(request, "show_id"), data=data)
        return http.JSONResponse(deal, status_code=201)

    @operation("End a running deal now; viewers get deal.ended", answers={200: DealOut},
               errors={404: "show_not_found, deal_not_found"}, auth="the show's host, an admin")
    async def end(self, request: Request) -> http.JSONResponse:
        principal = await http.bearer(request, self.auth.verify)
        deal = await self.deals.stop(principal=principal, show_id=http.path_id(request, "show_id"),
                                     deal_id=http.path_id(request, "deal_id"))
        return http.JSONResponse(deal)
