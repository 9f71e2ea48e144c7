"""Asks: one buyer's order waiting at the till, what became of it, and the refusals the till gives.

`Ask` carries an order from the request that sent it to the batch that places it, and back: its
quote, the gate units it holds, and its outcome, which `settle()` hands to the waiting request."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel

from server.commerce.buyers import same_buyer
from server.commerce.quotes import Quote
from server.errors import Conflict, DomainError, InvalidInput
from server.models import Show
from server.models.commerce import OrderIn, OrderRow


class SoldOut(Conflict):
    code = "sold_out"


def sold_out() -> SoldOut:
    return SoldOut("sold out: the stock left cannot cover this order")


def deal_gone() -> Conflict:
    return Conflict("the deal has ended or its pieces are gone", code="deal_ended")


class Shortfall(Exception):
    """A variant's stock or a deal's cap could not cover the whole batch; `error` is a lone order's answer,
    and `counted` the orders whose units were asked for (the others had been refused before)."""

    def __init__(self, error: DomainError, counted: list[Ask]) -> None:
        super().__init__(error.message)
        self.error = error
        self.counted = counted


@dataclass(frozen=True, slots=True)
class Placed:
    order: dict[str, Any]
    replayed: bool


@dataclass(eq=False, slots=True)
class Ask:
    """One buyer's order in a batch, and what became of it."""

    data: OrderIn
    key: str
    digest: str
    answer: asyncio.Future[Placed]
    quote: Quote | None = None
    gated: bool = False  # holds units of the gate, to give back unless the order is placed
    outcome: Placed | Exception | None = None
    replay: bool = False  # the order this key placed (if any) answers instead of `outcome`

    @property
    def open(self) -> bool:
        return self.outcome is None and not self.replay

    @property
    def placed(self) -> bool:
        return isinstance(self.outcome, Placed) and not self.outcome.replayed

    @property
    def quota_key(self) -> tuple[str, str, str] | None:
        if self.data.show_id is None:
            return None
        return self.data.show_id, self.data.product_id, same_buyer(self.data.buyer.email)

    @property
    def units(self) -> tuple[str, int]:
        assert self.quote is not None
        return self.quote.variant.id, self.data.quantity

    def settle(self) -> None:
        if self.answer.done():  # the buyer went away (the request was cancelled)
            return
        if isinstance(self.outcome, Placed):
            self.answer.set_result(self.outcome)
        else:
            self.answer.set_exception(self.outcome or DomainError(
                "the order could not be placed", code="unavailable", status=503))


@dataclass(frozen=True, slots=True)
class Written:
    """What one committed transaction of the till decided."""

    placed: dict[Ask, OrderRow]
    refused: dict[Ask, DomainError]
    raced: list[Ask]  # another request with the same key committed first
    left: dict[str, int]  # variant id -> stock left
    finished: list[str]  # deals whose last pieces these orders took


def fingerprint(data: BaseModel, **more: Any) -> str:
    """What a request asked for, as a digest: the same Idempotency-Key with another body is refused by it."""
    fields = {**more, **data.model_dump(mode="json")}
    return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()


def idempotency_key(key: str | None) -> str:
    """An Idempotency-Key as every route that places an order takes it: 8 to 100 printable characters."""
    if not key:
        raise InvalidInput("send an Idempotency-Key header (a random string) to make retries safe",
                           code="idempotency_key_required")
    if not 8 <= len(key) <= 100 or not key.isprintable():
        raise InvalidInput("Idempotency-Key must be 8 to 100 printable characters", code="invalid_idempotency_key")
    return key


def buyer_limit(show: Show) -> Conflict:
    return Conflict(f"a buyer may take at most {show.buyer_limit} of this product in this show", code="buyer_limit")
