"""The host's open page loses its rights at once (issue 18): a show's socket opened with a token is checked
again when its account changes on any node (suspended, a new role, signed out everywhere). It gets an `error`
frame with the code the token now meets, then the socket closes (4401); opened again with that token, it is a
viewer's socket, and its pins are refused."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from starlette.websockets import WebSocketDisconnect

from server.live.session import SIGNED_OUT
from tests.support.api import Api
from tests.support.sockets import recv, recv_type

CHANGES = {
    "suspended": lambda api, admin, host: api.client.post(f"/api/accounts/{host['id']}/suspend",
                                                          headers=admin["headers"]),
    "new role": lambda api, admin, host: api.client.put(f"/api/users/{host['id']}/role", json={"role": "seller"},
                                                        headers=admin["headers"]),
    "signed out everywhere": lambda api, admin, host: api.client.post("/api/auth/signout", headers=host["headers"]),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_host_socket_on_the_other_node_loses_its_rights_at_once(two_nodes: tuple[Api, Api], change: str) -> None:
    a, b = two_nodes
    admin, seller, host = a.user("admin"), a.user("seller"), a.user("host")
    product = a.product(seller)
    show = a.live_show(host, [product["id"]])
    path = f"/ws/shows/{show['id']}?token={host['token']}"
    with b.client.websocket_connect(path) as hws, b.client.websocket_connect(f"/ws/shows/{show['id']}") as vws:
        assert recv(hws)["data"]["you"]["role"] == "host"
        recv(vws)
        hws.send_text(orjson.dumps({"type": "pin", "product_id": product["id"]}).decode())
        recv_type(hws, "product.pinned")  # a host's rights, on node b
        assert CHANGES[change](a, admin, host).status_code in (200, 204)  # on node a
        error = recv_type(hws, "error")
        assert error["data"]["code"] == "token_revoked"
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(50):
                recv(hws)
        assert closed.value.code == SIGNED_OUT
        vws.send_text(orjson.dumps({"type": "ping", "id": 1}).decode())
        assert recv_type(vws, "pong")["data"]["id"] == 1  # the viewers' sockets stay
    with b.client.websocket_connect(path) as again:  # the page comes back as what it is now
        snapshot = recv(again)
        assert snapshot["data"]["you"]["role"] == "viewer"
        assert recv_type(again, "error")["data"]["code"] == "token_revoked"
        again.send_text(orjson.dumps({"type": "pin", "product_id": product["id"]}).decode())
        assert recv_type(again, "error")["data"]["code"] == "not_show_host"


def test_another_accounts_change_leaves_the_host_socket_alone(two_nodes: tuple[Api, Api]) -> None:
    a, b = two_nodes
    admin, seller, host, other = a.user("admin"), a.user("seller"), a.user("host"), a.user("host")
    product = a.product(seller)
    show = a.live_show(host, [product["id"]])
    with b.client.websocket_connect(f"/ws/shows/{show['id']}?token={host['token']}") as hws:
        assert recv(hws)["data"]["you"]["role"] == "host"
        assert a.client.post(f"/api/accounts/{other['id']}/suspend", headers=admin["headers"]).status_code == 200
        a.client.post(f"/api/shows/{show['id']}/pin", json={"product_id": product["id"]}, headers=host["headers"])
        recv_type(hws, "product.pinned")
        hws.send_text(orjson.dumps({"type": "unpin"}).decode())
        frame: dict[str, Any] = recv_type(hws, "product.unpinned")
        assert frame["data"]["product_id"] == product["id"]
