"""Games played against a server process (the browser tests): the host starts and ends them over HTTP, new
viewers (each with the token its own socket's snapshot gives it) vote, answer or enter through the HTTP twins of
their frames."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx


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
