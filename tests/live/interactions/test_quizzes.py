"""Quizzes, on both backends: the answer never leaves the server before the end, the right answerers each get
their own single-use voucher code, to themselves."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.support.api import Api, open_shop
from tests.support.games import end_game, start_game, vote
from tests.support.orders import buyer, code, order_body, place
from tests.support.sockets import recv, recv_type


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    return open_shop(api, stock=10, buyer_limit=10)


def _voucher(api: Api, seller: dict[str, Any], value: int = 10) -> dict[str, Any]:
    r = api.client.post("/api/vouchers", headers=seller["headers"],
                        json={"code": "QZ" + orjson.dumps(id(seller)).decode()[-6:], "kind": "percent",
                              "value": value})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_the_answer_stays_secret_until_the_end_and_winners_get_their_own_codes(api: Api,
                                                                               shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    template = _voucher(api, shop["seller"])
    other_seller = api.user("seller")
    assert code(start_game(api, shop, "quizzes", answer=1,
                           reward_voucher_id=_voucher(api, other_seller)["id"])) == "voucher_not_found"
    assert start_game(api, shop, "quizzes", answer=3).status_code == 422, "the answer is one of the options"
    with api.client.websocket_connect(f"/ws/shows/{sid}") as right, \
            api.client.websocket_connect(f"/ws/shows/{sid}") as wrong:
        recv(right), recv(wrong)
        r = start_game(api, shop, "quizzes", answer=1, reward_voucher_id=template["id"])
        assert r.status_code == 201
        quiz = r.json()
        seen = [r.text, recv_type(right, "quiz.started"), api.client.get(f"/api/shows/{sid}").text,
                api.client.get(f"/api/shows/{sid}/interactions").text]
        with api.client.websocket_connect(f"/ws/shows/{sid}") as late:
            seen.append(recv(late))
        for text in seen:
            raw = text if isinstance(text, str) else orjson.dumps(text).decode()
            assert "correct" not in raw and '"answer"' not in raw, raw
        assert quiz["reward"] == {"kind": "percent", "value": 10, "currency": None}
        right.send_json({"type": "answer", "quiz_id": quiz["id"], "option_id": "o2"})
        assert recv_type(right, "quiz.answered")["data"]["option_id"] == "o2"
        wrong.send_json({"type": "answer", "quiz_id": quiz["id"], "option_id": "o1"})
        recv_type(wrong, "quiz.answered")
        assert vote(api, shop, quiz["id"], "o2", viewer="vwr_http", plural="quizzes",
                    entries="answers").status_code == 201
        assert recv_type(right, "quiz.answers")["data"]["quiz_id"] == quiz["id"]
        assert end_game(api, shop, "quizzes", quiz["id"]).status_code == 200
        ended = recv_type(right, "quiz.ended", limit=100)["data"]
        assert ended["correct_option_id"] == "o2" and ended["correct"] == 2 and ended["quiz"]["count"] == 3
        api.call(api.services.sweep)
        won = recv_type(right, "quiz.won", limit=100)["data"]
        assert won["quiz_id"] == quiz["id"] and won["voucher_code"]
        wrong.send_json({"type": "ping", "id": 1})
        seen_types = set()
        while "pong" not in seen_types:  # everything the sweep sent it came before the pong
            seen_types.add(recv(wrong)["type"])
        assert "quiz.won" not in seen_types, "a wrong answer wins nothing"
    mine = won["voucher_code"]
    first = place(api, order_body(shop, voucher=mine))
    assert first.status_code == 201, first.text
    assert first.json()["discount"]["amount"] > 0
    r = place(api, order_body(shop, voucher=mine, buyer=buyer(2)))
    assert r.status_code in (409, 422), "a quiz's code is for one use"
    listing = api.client.get(f"/api/shows/{sid}/interactions").json()["interactions"][0]
    assert listing["correct_option_id"] == "o2", "after the end, the answer is public"


def test_the_reward_may_be_named_by_its_vouchers_code(api: Api, shop: dict[str, Any]) -> None:
    """What a seller tells its host, and what the demo prints, is the voucher's code (any case), not its id."""
    mine = _voucher(api, shop["seller"], value=15)
    theirs = _voucher(api, api.user("seller"))
    assert code(start_game(api, shop, "quizzes", answer=1,
                           reward_voucher_id=theirs["code"])) == "voucher_not_found"
    r = start_game(api, shop, "quizzes", answer=1, reward_voucher_id=mine["code"].lower())
    assert r.status_code == 201, r.text
    assert r.json()["reward"] == {"kind": "percent", "value": 15, "currency": None}
