"""Mutes that outlast a new viewer id, and blocks by display name (issue 16: a muted anonymous viewer came back
without `viewer=` and chatted at once under a new id)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from server.errors import Forbidden
from server.live.interactions.chat.moderation import Writer
from tests.support.api import Api
from tests.support.sockets import recv, recv_type


@pytest.fixture
def show(api: Api) -> dict[str, Any]:
    seller, host = api.user("seller"), api.user("host")
    show = api.live_show(host, [api.product(seller)["id"]])
    return {"id": show["id"], "host": host}


def post(api: Api, show: dict[str, Any], writer: Writer, author: str = "Zoé") -> str:
    """`posted`, or the refusal's code."""
    try:
        api.call(api.services.chat.post, show_id=show["id"], writer=writer, author=author, text="hello")
    except Forbidden as exc:
        return exc.code
    return "posted"


def mute(api: Api, show: dict[str, Any], **body: str) -> None:
    r = api.client.post(f"/api/shows/{show['id']}/mutes", json=body, headers=show["host"]["headers"])
    assert r.status_code == 204, r.text


def test_a_mute_holds_the_browser_the_account_and_an_anonymous_address(api: Api, show: dict[str, Any]) -> None:
    """The address holds only a client without the pages' cookie: another browser behind it (a shop's wifi)
    is someone else."""
    anonymous = Writer(viewer_id="vwr_a", device="dev-a", address="addr-a")
    assert post(api, show, anonymous) == "posted"
    mute(api, show, viewer_id="vwr_a")
    assert post(api, show, anonymous) == "muted"
    assert post(api, show, Writer(viewer_id="vwr_new1", device="dev-a", address="addr-z")) == "muted", "same browser"
    assert post(api, show, Writer(viewer_id="vwr_new2", address="addr-a")) == "muted", "same address, no cookie"
    assert post(api, show, Writer(viewer_id="vwr_new3", device="dev-z", address="addr-a")) == "posted", \
        "another browser behind the same address is someone else"
    assert post(api, show, Writer(viewer_id="vwr_b", account_id="usr_b", device="dev-b", address="addr-a")) == \
        "posted", "a signed-in viewer behind the same address is someone else"
    assert post(api, show, Writer(viewer_id="vwr_c", device="dev-c", address="addr-c")) == "posted"

    signed_in = Writer(viewer_id="usr_d", account_id="usr_d", device="dev-d", address="addr-d")
    assert post(api, show, signed_in) == "posted"
    mute(api, show, viewer_id="usr_d")
    assert post(api, show, Writer(viewer_id="vwr_d2", account_id="usr_d", device="dev-d2")) == "muted", "the account"
    assert post(api, show, Writer(viewer_id="vwr_e", device="dev-e", address="addr-d")) == "posted", \
        "a signed-in viewer's address is not blocked"

    r = api.client.delete(f"/api/shows/{show['id']}/mutes/vwr_a", headers=show["host"]["headers"])
    assert r.status_code == 204
    assert post(api, show, Writer(viewer_id="vwr_new1", device="dev-a", address="addr-a")) == "posted", \
        "unmuting lifts what the mute held"


def test_the_host_blocks_a_display_name(api: Api, show: dict[str, Any]) -> None:
    mute(api, show, author="Zoé")
    assert post(api, show, Writer(viewer_id="vwr_1"), author=" ZOÉ ") == "muted"
    assert post(api, show, Writer(viewer_id="vwr_1"), author="Zoe") == "posted", "another name"
    listed = api.client.get(f"/api/shows/{show['id']}/mutes", headers=show["host"]["headers"]).json()
    assert listed == {"items": [], "authors": ["Zoé"]}
    r = api.client.delete(f"/api/shows/{show['id']}/mutes/authors/zoé", headers=show["host"]["headers"])
    assert r.status_code == 204
    assert post(api, show, Writer(viewer_id="vwr_1"), author="Zoé") == "posted"
    for bad in ({}, {"viewer_id": "vwr_1", "author": "Zoé"}):
        r = api.client.post(f"/api/shows/{show['id']}/mutes", json=bad, headers=show["host"]["headers"])
        assert r.status_code == 422


def test_a_muted_viewer_who_comes_back_without_its_viewer_token_is_still_muted(api: Api,
                                                                           show: dict[str, Any]) -> None:
    page = api.client.get(f"/watch/{show['id']}")
    assert "vt_vw" in page.cookies, "the page gives the browser its cookie"
    with api.client.websocket_connect(f"/ws/shows/{show['id']}") as ws:
        me = recv(ws)["data"]["you"]["viewer_id"]
        ws.send_text(orjson.dumps({"type": "chat", "name": "Troll", "text": "spam"}).decode())
        recv_type(ws, "chat.message")
    mute(api, show, viewer_id=me)
    with api.client.websocket_connect(f"/ws/shows/{show['id']}") as ws:  # no viewer=: a new viewer id
        assert recv(ws)["data"]["you"]["viewer_id"] != me
        ws.send_text(orjson.dumps({"type": "chat", "name": "Troll2", "text": "spam again"}).decode())
        assert recv_type(ws, "error")["data"]["code"] == "muted"


def test_two_viewers_under_one_name_have_their_own_tags_and_mutes(api: Api, show: dict[str, Any]) -> None:
    """Two "Léa"s in two browsers behind one address (a pop-up store's wifi): each message carries a short tag
    of its viewer (never the viewer id itself), and muting one Léa leaves the other free to chat."""
    api.client.cookies.clear()
    url = f"/ws/shows/{show['id']}"
    with api.client.websocket_connect(url, headers={"cookie": "vt_vw=browser-one"}) as one, \
            api.client.websocket_connect(url, headers={"cookie": "vt_vw=browser-two"}) as two:
        ids = [recv(ws)["data"]["you"]["viewer_id"] for ws in (one, two)]
        tags = []
        for ws, viewer_id in zip((one, two), ids, strict=True):
            ws.send_text(orjson.dumps({"type": "chat", "name": "Léa", "text": "hello"}).decode())
            message = recv_type(ws, "chat.message")["data"]
            while message["viewer_id"] != viewer_id:
                message = recv_type(ws, "chat.message")["data"]
            assert message["author"] == "Léa" and len(message["tag"]) == 4
            assert message["tag"].lower() not in viewer_id.lower()
            tags.append(message["tag"])
        assert tags[0] != tags[1]
        mute(api, show, viewer_id=ids[0])
        one.send_text(orjson.dumps({"type": "chat", "text": "still here?"}).decode())
        assert recv_type(one, "error")["data"]["code"] == "muted"
        two.send_text(orjson.dumps({"type": "chat", "text": "I am"}).decode())
        assert recv_type(two, "chat.message")["data"]["text"] == "I am"
    with api.client.websocket_connect(url) as ws:
        snapshot = recv(ws)["data"]["chat"]
    assert [(m["author"], m["tag"]) for m in snapshot if m["text"] == "hello"] == [("Léa", t) for t in tags]
