"""The till places orders in batches: on both backends, orders sent together share a transaction, and
each still gets its own answer; a batch the stock or a deal cannot cover sells exactly what there is."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import fields
from typing import Any

from server.commerce.asks import Placed
from server.commerce.stock import OpenGate, stock_key
from server.errors import DomainError
from server.infra import metrics
from server.models.commerce import Order, OrderIn, OrderRow
from tests.support.api import Api
from tests.support.deals import pin, start_deal
from tests.support.orders import available, buyer, order_body


def batches() -> float:
    return next(s.value for s in metrics.TILL_BATCH.collect()[0].samples if s.name.endswith("_count"))


RUN = secrets.token_hex(4)  # the databases are shared by the whole session: keys and codes are this run's


def together(api: Api, orders: list[tuple[dict[str, Any], str]]) -> list[Placed | DomainError]:
    """Send the orders at once, as a storm's buyers do: they reach the till before its first batch starts."""

    async def run() -> list[Any]:
        place = api.services.orders.place
        return await asyncio.gather(*(place(data=OrderIn.model_validate(body), key=f"{RUN}-{key}")
                                      for body, key in orders), return_exceptions=True)

    return api.call(run)  # type: ignore[no-any-return]


def outcome(result: Placed | DomainError | BaseException) -> str:
    if isinstance(result, Placed):
        return "replayed" if result.replayed else "placed"
    assert isinstance(result, DomainError), result
    return result.code


def test_orders_sent_together_share_batches_and_each_gets_its_own_answer(api: Api, shop: dict[str, Any]) -> None:
    other = shop["product"]["variants"][1]
    before = batches()
    results = together(api, [
        (order_body(shop), "key-first-0001"),
        (order_body(shop), "key-first-0001"),  # a retry while the first attempt is in flight
        (order_body(shop, quantity=2), "key-first-0001"),  # the same key for another order
        (order_body(shop, quantity=4, buyer=buyer(2)), "key-too-many-01"),  # over the show's limit of 3
        (order_body(shop, quantity=2, buyer=buyer(3)), "key-buyer3-a001"),
        (order_body(shop, quantity=2, buyer=buyer(3)), "key-buyer3-b001"),  # 2 + 2 is over 3 for this buyer
        (order_body(shop, variant_id="var_nope"), "key-no-variant1"),
        (order_body(shop, variant_id=other["id"], buyer=buyer(4)), "key-other-size1"),
    ])
    outcomes = [outcome(r) for r in results]
    # Two batches can be placed at once (the till's lanes), so which of two racing orders wins may vary:
    # one of the two attempts with the first key places the order and the other gets it back; one of
    # buyer 3's two orders is placed and the other is over the limit.
    assert sorted(outcomes[:2]) == ["placed", "replayed"]
    # the order of 4 (over the limit of 3) is judged against the stock first: it is sold_out when its batch
    # read the stock after another lane's batch took 3 of the 5, buyer_limit otherwise
    assert outcomes[2] == "idempotency_key_reused" and outcomes[3] in ("buyer_limit", "sold_out")
    assert sorted(outcomes[4:6]) == ["buyer_limit", "placed"]
    assert outcomes[6:] == ["variant_not_found", "placed"]
    first, retry = results[0], results[1]
    assert isinstance(first, Placed) and isinstance(retry, Placed)
    assert retry.order["id"] == first.order["id"]
    assert available(api, shop) == 5 - 1 - 2 and available(api, shop, 1) == 5 - 1
    assert batches() - before < len(results), "the orders were placed in batches, not one by one"
    # the quotas hold what was placed, no more: buyer 3 may still take 1, buyer 2 all 3
    assert outcome(together(api, [(order_body(shop, buyer=buyer(3)), "key-buyer3-c001")])[0]) == "placed"
    assert outcome(together(api, [(order_body(shop, quantity=3, buyer=buyer(2)), "key-buyer2-b001")])[0]) == "sold_out"


def test_a_batch_larger_than_the_stock_sells_exactly_the_stock(api: Api, shop: dict[str, Any]) -> None:
    """Without Redis every order reaches the database; with Redis the gate is told there are 100 left.
    Either way the batch's one UPDATE cannot cover 12, and the till places exactly the 5 there are."""
    gate = api.services.gate
    variant_id = shop["variant"]["id"]
    if not isinstance(gate, OpenGate):
        api.call(gate.redis.set, name=stock_key(variant_id), value=100)  # type: ignore[attr-defined]
    results = together(api, [(order_body(shop, buyer=buyer(i)), f"key-storm-{i:04d}") for i in range(12)])
    outcomes = [outcome(r) for r in results]
    assert outcomes.count("placed") == 5 and outcomes.count("sold_out") == 7, outcomes
    assert outcomes[:5] == ["placed"] * 5, "the first to arrive are the first served"
    assert available(api, shop) == 0
    if not isinstance(gate, OpenGate):
        assert api.call(gate.level, variant_id=variant_id) == 0, "the gate was rebuilt from the database"
    orders = api.client.get("/api/orders", headers=shop["seller"]["headers"]).json()["items"]
    assert len(orders) == 5 and {o["quantity"] for o in orders} == {1}


def test_a_deal_cap_smaller_than_the_batch_sells_its_pieces_once(api: Api, shop: dict[str, Any]) -> None:
    pin(api, shop)
    deal = start_deal(api, shop, quantity=2).json()
    results = together(api, [(order_body(shop, deal_id=deal["id"], buyer=buyer(i)), f"key-deal-{i:04d}")
                             for i in range(4)])
    assert [outcome(r) for r in results] == ["placed", "placed", "deal_ended", "deal_ended"]
    assert all(r.order["unit_price"]["amount"] == 2900 for r in results[:2] if isinstance(r, Placed))
    assert available(api, shop) == 3, "the refused buyers took no stock"
    assert api.client.get(f"/api/shows/{shop['show']['id']}").json()["deal"] is None, "ended: sold out"


def test_a_voucher_used_up_within_a_batch_gives_nothing_back_twice(api: Api, shop: dict[str, Any]) -> None:
    r = api.client.post("/api/vouchers", headers=shop["seller"]["headers"],
                        json={"code": f"ONCE{RUN}", "kind": "fixed", "value": 1000, "currency": "EUR", "max_uses": 1})
    assert r.status_code == 201
    results = together(api, [(order_body(shop, voucher=f"ONCE{RUN}", buyer=buyer(i)), f"key-voucher-{i:03d}")
                             for i in range(3)])
    assert [outcome(r) for r in results] == ["placed", "voucher_exhausted", "voucher_exhausted"]
    assert available(api, shop) == 4
    vouchers = api.client.get("/api/vouchers", headers=shop["seller"]["headers"]).json()["items"]
    assert [v["used"] for v in vouchers if v["code"] == f"ONCE{RUN}".upper()] == [1]
    # the refused buyers' quota was given back: each may still buy the show's limit
    assert outcome(together(api, [(order_body(shop, quantity=3, buyer=buyer(1)), "key-after-0001")])[0]) == "placed"


def test_a_buyer_who_leaves_mid_batch_loses_no_unit(api: Api, shop: dict[str, Any]) -> None:
    """A cancelled request's order is placed or not, never half: the database, the gate and the key agree."""

    async def run() -> tuple[list[Any], int]:
        place = api.services.orders.place
        tasks = [asyncio.ensure_future(place(data=OrderIn.model_validate(order_body(shop, buyer=buyer(i))),
                                             key=f"{RUN}-key-leave-{i:04d}")) for i in range(4)]
        await asyncio.sleep(0)
        tasks[1].cancel()  # this buyer closed the page while the batch was being placed
        results = await asyncio.gather(*tasks, return_exceptions=True)
        while api.services.orders.till._workers:  # the batch goes on without the buyer who left
            await asyncio.sleep(0.01)
        return results, len(results)

    results, _ = api.call(run)
    assert isinstance(results[1], asyncio.CancelledError)
    kept = [outcome(r) for i, r in enumerate(results) if i != 1]
    assert kept == ["placed"] * 3
    # the buyer's retry with the same key gets the order if it was placed, or places it now: never two
    retry = together(api, [(order_body(shop, buyer=buyer(1)), "key-leave-0001")])[0]
    assert outcome(retry) in ("placed", "replayed")
    assert available(api, shop) == 1
    gate = api.services.gate
    if not isinstance(gate, OpenGate):
        assert api.call(gate.level, variant_id=shop["variant"]["id"]) == 1


def test_the_till_row_has_exactly_the_orders_columns() -> None:
    """OrderRow is what the till inserts into `orders`: a column it lacked would be left to its default."""
    columns = {c.name for c in Order.__table__.columns}  # type: ignore[attr-defined]
    assert {f.name for f in fields(OrderRow)} == columns


def test_a_shortfall_leaves_the_units_of_orders_refused_before_it_to_the_others(api: Api) -> None:
    """Buyer X may take no more in this show. A batch of X and three others wants more than the two
    units left: X's refusal takes no unit, so two of the others are placed, not one."""
    seller, host = api.user("seller"), api.user("host")
    product = api.product(seller, stock=3, sizes=("S",))
    show = api.live_show(host, [product["id"]], buyer_limit=1)
    shop = {"product": product, "show": show, "variant": product["variants"][0]}
    assert outcome(together(api, [(order_body(shop, buyer=buyer(1)), "key-limit-held")])[0]) == "placed"
    results = together(api, [(order_body(shop, buyer=buyer(i)), f"key-limit-{i:04d}") for i in (1, 2, 3, 4)])
    assert [outcome(r) for r in results] == ["buyer_limit", "placed", "placed", "sold_out"]
    assert available(api, shop) == 0
    gate = api.services.gate
    if not isinstance(gate, OpenGate):
        assert api.call(gate.level, variant_id=shop["variant"]["id"]) == 0


def test_an_order_right_after_a_batch_ends_is_placed(api: Api, shop: dict[str, Any]) -> None:
    """A worker that placed the last batch may have ended while its done-callback (which forgets it) has
    not run yet: the next order must start a new worker, not wait for one that is gone."""
    till = api.services.orders.till
    till.lanes = 1

    async def run() -> Placed:
        ended = asyncio.get_running_loop().create_task(asyncio.sleep(0))
        await ended
        till._workers.add(ended)  # as the till holds it between its end and its done-callback
        return await asyncio.wait_for(api.services.orders.place(data=OrderIn.model_validate(order_body(shop)),
                                                                key=f"{RUN}-key-then-0001"), timeout=10)

    assert outcome(api.call(run)) == "placed"
