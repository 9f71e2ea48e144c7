"""Polls, on both backends: the host's rules, one vote per viewer over the socket and HTTP, the paced tally,
the exact final tally, and the refusals after the end."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from bench.stats import most_in_a_second
from tests.support.api import Api, at_once, open_shop
from tests.support.games import end_game, start_game, vote
from tests.support.orders import code
from tests.support.sockets import recv, recv_type


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    return open_shop(api, stock=10, buyer_limit=10)


def test_a_poll_needs_the_host_a_live_show_and_sane_options(api: Api, shop: dict[str, Any]) -> None:
    for bad in ({"options": ["Only one"]}, {"options": [str(i) for i in range(7)]}, {"options": ["A", "a"]},
                {"options": ["A", "x" * 81]}, {"question": ""}, {"question": "q" * 201}, {"duration_s": 4},
                {"duration_s": 3601}):
        r = start_game(api, shop, "polls", **bad)
        assert r.status_code == 422, bad
    stranger = api.user("host")
    r = api.client.post(f"/api/shows/{shop['show']['id']}/polls", headers=stranger["headers"],
                        json={"question": "Q?", "options": ["A", "B"], "duration_s": 30})
    assert r.status_code == 403 and code(r) == "not_show_host"
    scheduled = api.live_show(shop["host"], [shop["product"]["id"]], start=False)
    r = api.client.post(f"/api/shows/{scheduled['id']}/polls", headers=shop["host"]["headers"],
                        json={"question": "Q?", "options": ["A", "B"], "duration_s": 30})
    assert r.status_code == 409 and code(r) == "show_not_live"
    first = start_game(api, shop, "polls")
    assert first.status_code == 201
    poll = first.json()
    assert poll["kind"] == "poll" and poll["status"] == "running" and poll["total"] == 0
    assert [o["id"] for o in poll["options"]] == ["o1", "o2", "o3"]
    assert code(start_game(api, shop, "polls")) == "interaction_running"


def test_votes_count_once_per_viewer_and_the_final_tally_is_exact(api: Api, shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    with api.client.websocket_connect(f"/ws/shows/{sid}") as ws:
        me = recv(ws)["data"]["you"]
        poll = start_game(api, shop, "polls").json()
        assert recv_type(ws, "poll.started")["data"]["poll"]["id"] == poll["id"]
        ws.send_json({"type": "vote", "poll_id": poll["id"], "option_id": "o2"})
        voted = recv_type(ws, "poll.voted")
        assert voted["data"]["option_id"] == "o2" and voted["data"]["entry_id"].startswith("ent_")
        ws.send_json({"type": "vote", "poll_id": poll["id"], "option_id": "o1"})
        assert recv_type(ws, "error")["data"]["code"] == "already_voted"
        ws.send_json({"type": "vote", "poll_id": poll["id"], "option_id": "o9"})
        assert recv_type(ws, "error")["data"]["code"] == "invalid_option"
        ws.send_json({"type": "vote", "poll_id": 7, "option_id": "o1"})
        assert recv_type(ws, "error")["data"]["code"] == "invalid_frame"
        ws.send_json({"type": "vote", "poll_id": "pol_nope", "option_id": "o1"})
        assert recv_type(ws, "error")["data"]["code"] == "interaction_not_found"
        # the same viewer over HTTP is the same voter
        assert code(vote(api, shop, poll["id"], "o1", viewer=me["viewer_id"])) == "already_voted"
        answers = at_once([lambda i=i: vote(api, shop, poll["id"], "o1" if i % 3 else "o3", viewer=f"vwr_t{i}")
                           for i in range(30)])
        assert all(r.status_code == 201 for r in answers)
        assert code(vote(api, shop, poll["id"], "o1", viewer="vwr_t0")) == "already_voted"
        r = api.client.post(f"/api/shows/{sid}/polls/{poll['id']}/votes", json={"option_id": "o1"})
        assert r.status_code == 401 and code(r) == "viewer_required"
        results = recv_type(ws, "poll.results")["data"]
        assert results["poll_id"] == poll["id"] and set(results["votes"]) == {"o1", "o2", "o3"}
        ended = end_game(api, shop, "polls", poll["id"]).json()
        assert ended["status"] == "ended" and ended["end_reason"] == "host"
        final = recv_type(ws, "poll.ended", limit=200)["data"]["poll"]
        assert final["votes"] == {"o1": 20, "o2": 1, "o3": 10} and final["total"] == 31
    assert code(vote(api, shop, poll["id"], "o1", viewer="vwr_late")) == "interaction_ended"
    listing = api.client.get(f"/api/shows/{sid}/interactions").json()["interactions"]
    assert listing[0]["id"] == poll["id"] and listing[0]["total"] == 31
    assert api.client.get(f"/api/shows/{sid}").json()["interactions"] == []


def test_a_late_joiner_sees_the_running_poll_its_tally_and_its_own_vote(api: Api, shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    poll = start_game(api, shop, "polls").json()
    assert vote(api, shop, poll["id"], "o3", viewer="vwr_early").status_code == 201
    token = api.services.auth.viewer_token("vwr_early")
    with api.client.websocket_connect(f"/ws/shows/{sid}?viewer={token}") as ws:
        snapshot = recv(ws)["data"]
        running = snapshot["interactions"]
        assert [g["id"] for g in running] == [poll["id"]] and running[0]["votes"]["o3"] == 1
        assert snapshot["you"]["interactions"][poll["id"]]["option_id"] == "o3"


def test_polls_end_on_time_and_with_the_show(api: Api, shop: dict[str, Any]) -> None:
    sid = shop["show"]["id"]
    poll = start_game(api, shop, "polls", duration_s=5).json()
    assert vote(api, shop, poll["id"], "o1", viewer="vwr_a").status_code == 201
    api.call(_age, api=api, game_id=poll["id"])
    assert code(vote(api, shop, poll["id"], "o2", viewer="vwr_b")) == "interaction_ended", "past its end: refused"
    api.call(api.services.games.expire_due)  # or the app's own sweeper, once a second, got there first
    ended = api.client.get(f"/api/shows/{sid}/interactions").json()["interactions"][0]
    assert ended["end_reason"] == "time" and ended["votes"]["o1"] == 1
    second = start_game(api, shop, "polls").json()
    assert api.client.post(f"/api/shows/{sid}/end", headers=shop["host"]["headers"]).status_code == 200
    assert code(vote(api, shop, second["id"], "o1", viewer="vwr_c")) == "show_not_live"
    api.call(api.services.games.expire_due)
    assert api.client.get(f"/api/shows/{sid}/interactions").json()["interactions"][0]["end_reason"] == "show_ended"


async def _age(*, api: Api, game_id: str) -> None:
    import sqlalchemy as sa

    from server.infra.ids import utcnow
    from server.models.games import Game

    async with api.services.db.session() as session:
        await session.exec(sa.update(Game).where(Game.id == game_id).values(ends_at=utcnow()))  # type: ignore[arg-type]
        await session.commit()


def test_a_small_vote_storm_in_process_counts_exactly_and_stays_paced(api: Api, shop: dict[str, Any]) -> None:
    """Both backends, in process: 120 viewers at once, 20 of them sending their vote twice at the same moment,
    20 naming an option the poll does not have; the live tally comes to the votes accepted, and so does the
    end's, option by option; the tally's frames were at most 5 in any second of their ts."""
    sid = shop["show"]["id"]
    run = secrets.token_hex(3)
    with api.client.websocket_connect(f"/ws/shows/{sid}") as ws:
        recv(ws)
        poll = start_game(api, shop, "polls", options=["Red", "Blue", "Green", "Gold"]).json()

        def ballot(i: int, option: str) -> Callable[[], tuple[str, Any]]:
            return lambda: (option, vote(api, shop, poll["id"], option, viewer=f"vwr_{run}{i}"))

        calls = []
        for i in range(120):
            calls.append(ballot(i, ("o1", "o1", "o2", "o3", "o4")[i % 5]))
            if i % 6 == 1:  # the same viewer's vote, twice at once
                calls.append(ballot(i, ("o1", "o1", "o2", "o3", "o4")[i % 5]))
            if i % 6 == 2:
                calls.append(ballot(i, "o9"))
        outcomes = at_once(calls)
        accepted = Counter(option for option, r in outcomes if r.status_code == 201)
        refused = Counter(code(r) for _, r in outcomes if r.status_code != 201)
        assert accepted.total() == 120 and refused == Counter({"already_voted": 20, "invalid_option": 20})
        stamps = []
        while True:  # the live tally comes to every vote taken
            frame = recv_type(ws, "poll.results", limit=200)
            stamps.append(frame["ts"])
            if frame["data"]["total"] == 120:
                break
        assert frame["data"]["votes"] == {o: accepted[o] for o in ("o1", "o2", "o3", "o4")}
        assert end_game(api, shop, "polls", poll["id"]).status_code == 200
        final = recv_type(ws, "poll.ended", limit=200)["data"]["poll"]
    assert final["total"] == 120 and final["votes"] == {o: accepted[o] for o in ("o1", "o2", "o3", "o4")}
    assert most_in_a_second(stamps) <= 5, stamps
