"""Games through the API: a poll or quiz started by the shop's host, a vote over HTTP with a viewer token."""

from __future__ import annotations

from typing import Any

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


def start_giveaway(api: Api, shop: dict[str, Any], **over: Any) -> Any:
    body = {"prize": {"product_id": shop["product"]["id"], "variant_id": shop["variant"]["id"]}, "winners": 1,
            "duration_s": 60, "eligibility": "everyone", **over}
    return api.client.post(f"/api/shows/{shop['show']['id']}/giveaways", json=body, headers=shop["host"]["headers"])


def enter(api: Api, shop: dict[str, Any], giveaway_id: str, *, viewer: str, name: str, email: str) -> Any:
    """An entry over HTTP, as the viewer of this id."""
    return api.client.post(f"/api/shows/{shop['show']['id']}/giveaways/{giveaway_id}/entries",
                           json={"name": name, "email": email, "viewer_token": viewer_token(api, viewer)})
