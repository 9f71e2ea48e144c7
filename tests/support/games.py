"""Games through the API: a poll or quiz started by the shop's host, a vote over HTTP with a viewer token; in
process (the `api` fixture) or against a server process (the browser tests)."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx

from tests.support.api import Api


def start_game(api: Api, shop: dict[str, Any], plural: str, **over: Any) -> Any:
    body = {"question": "Which colour next?", "options": ["Red", "Blue", "Green"], "duration_s": 60, **over}
    return api.client.post(f"/api/shows/{shop['show']['id']}/{plural}", json=body, headers=shop["host"]["headers"])


def viewer_token(api: Api, viewer_id: str) -> str:
    return api.services.auth.viewer_token(viewer_id)


def vote(api: Api, shop: dict[str, Any], game_id: str, option_id: str, *, viewer: str, plural: str = "polls",
         entries: str = "votes") -> Any:
    return api.client.post(f"/api/shows/{shop['show']['id']}/{plural}/{game_id}/{entries}",
                           json={"option_id": option_id, "viewer_token": viewer_token(api, viewer)})


def end_game(api: Api, shop: dict[str, Any], plural: str, game_id: str) -> Any:
    return api.client.post(f"/api/shows/{shop['show']['id']}/{plural}/{game_id}/end", headers=shop["host"]["headers"])


# --- against a server process (the browser tests) ---------------------------------------------------


def fresh_viewer_token(base_url: str, show_id: str) -> str:
    """A new viewer's signed token, as a phone gets it: the snapshot's you.viewer_token on a socket of its own."""
    from websockets.sync.client import connect

    with connect(f"ws{base_url.removeprefix('http')}/ws/shows/{show_id}", open_timeout=10) as ws:
        snapshot = json.loads(ws.recv(timeout=10))
    assert snapshot["type"] == "snapshot", snapshot
    return str(snapshot["data"]["you"]["viewer_token"])


def start_over_http(base_url: str, show_id: str, plural: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    r = httpx.post(f"{base_url}/api/shows/{show_id}/{plural}", json=body, headers=headers, timeout=10)
    assert r.status_code == 201, r.text
    return dict(r.json())


def vote_over_http(base_url: str, show_id: str, game_id: str, option_id: str, *, plural: str = "polls",
                   entries: str = "votes") -> None:
    """A new viewer (its own socket, then the HTTP twin of its frame) votes or answers once."""
    token = fresh_viewer_token(base_url, show_id)
    r = httpx.post(f"{base_url}/api/shows/{show_id}/{plural}/{game_id}/{entries}",
                   json={"option_id": option_id, "viewer_token": token}, timeout=10)
    assert r.status_code == 201, r.text


def end_over_http(base_url: str, show_id: str, plural: str, game_id: str, headers: dict[str, str]) -> dict[str, Any]:
    r = httpx.post(f"{base_url}/api/shows/{show_id}/{plural}/{game_id}/end", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return dict(r.json())


def enter_over_http(base_url: str, show_id: str, giveaway_id: str, name: str) -> None:
    """A new viewer enters a giveaway with its name and an email of its own (the HTTP twin of `enter`)."""
    token = fresh_viewer_token(base_url, show_id)
    r = httpx.post(f"{base_url}/api/shows/{show_id}/giveaways/{giveaway_id}/entries", timeout=10,
                   json={"name": name, "email": f"{secrets.token_hex(6)}@example.com", "viewer_token": token})
    assert r.status_code == 201, r.text
