"""The vote storm (issue 19): the host starts a poll in the show, N viewers vote once each over HTTP
(`POST /api/shows/{id}/polls/{pid}/votes`, each with its own viewer token, C at once on keep-alive
connections), and one socket counts the `poll.results` frames the show gets meanwhile. Then the host ends the
poll, and its final tally is compared with the votes the server accepted. Vitrine only: the baseline has no polls.

Votes per second count the votes accepted over the time it took to accept them, from the storm's first request
to the last vote accepted; the tally's frames are read off their `ts` (the bus's clock), the busiest second's."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect

from bench.scenario import RawHTTP, Show
from bench.services import BenchError
from bench.stats import error_code, most_in_a_second, summary
from server.accounts.auth import viewer_signer

OPTIONS = ["Red", "Blue", "Green", "Gold"]


@dataclass
class VoteStorm:
    attempted: int = 0
    accepted: Counter[str] = field(default_factory=Counter)  # by option
    outcomes: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    ended: float = 0.0
    last_accepted: float = 0.0
    request_ms: Counter[int] = field(default_factory=Counter)
    results_ts: list[int] = field(default_factory=list)  # the `ts` of each poll.results frame one socket got
    final: dict[str, Any] | None = None  # the poll as the host's end answered it

    def as_dict(self) -> dict[str, Any]:
        accepted = self.accepted.total()
        voting = max((self.last_accepted or self.ended) - self.started, 1e-6)
        final_votes = (self.final or {}).get("votes")
        return {"attempted": self.attempted, "accepted": accepted, "outcomes": dict(self.outcomes),
                "elapsed_s": round(self.ended - self.started, 3), "voting_s": round(voting, 3),
                "votes_per_s": round(accepted / voting, 1), "request_ms": summary(self.request_ms),
                "results_frames": len(self.results_ts), "results_frames_max_per_s": most_in_a_second(self.results_ts),
                "final_total": (self.final or {}).get("total"),
                "tally_agrees": final_votes == {o: self.accepted[o] for o in final_votes or {}}
                and (self.final or {}).get("total") == accepted}


async def vote_storm(base_url: str, port: int, show: Show, *, secret_key: str, voters: int, concurrency: int,
                     deadline_s: float) -> VoteStorm:
    """`voters` distinct viewers vote once each in a new poll, `concurrency` at a time."""
    headers = {"authorization": f"Bearer {show.host_token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers) as http:
        r = await http.post(f"/api/shows/{show.show_id}/polls",
                            json={"question": "Which colour next?", "options": OPTIONS,
                                  "duration_s": min(3600, int(deadline_s) + 60)})
        if r.status_code != 201:
            raise BenchError(f"cannot start a poll: {r.status_code} {r.text[:300]}")
        poll_id = r.json()["id"]
        storm = VoteStorm()
        async with connect(f"{base_url.replace('http://', 'ws://')}/ws/shows/{show.show_id}", compression=None,
                           open_timeout=30) as ws:
            watching = asyncio.create_task(_watch(ws, poll_id, storm.results_ts))
            await _storm(port, show, poll_id, storm, secret_key=secret_key, voters=voters, concurrency=concurrency,
                         deadline_s=deadline_s)
            await asyncio.sleep(0.5)  # the last tally's frame
            r = await http.post(f"/api/shows/{show.show_id}/polls/{poll_id}/end")
            if r.status_code == 200:
                storm.final = r.json()
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watching
    return storm


async def _watch(ws: Any, poll_id: str, stamps: list[int]) -> None:
    async for message in ws:
        if isinstance(message, str) and message.startswith('{"type":"poll.results"'):
            frame = orjson.loads(message)
            if frame["data"]["poll_id"] == poll_id:
                stamps.append(int(frame["ts"]))


async def _storm(port: int, show: Show, poll_id: str, storm: VoteStorm, *, secret_key: str, voters: int,
                 concurrency: int, deadline_s: float) -> None:
    signer = viewer_signer(secret_key)
    run = secrets.token_hex(4)
    path = f"/api/shows/{show.show_id}/polls/{poll_id}/votes"
    options = [f"o{i + 1}" for i in range(len(OPTIONS))]
    bodies = [(options[i % len(options)], orjson.dumps({"option_id": options[i % len(options)],
                                                        "viewer_token": signer.dumps(f"vwr_{run}{i:07d}")}))
              for i in range(voters)]
    todo = iter(range(voters))
    deadline = time.monotonic() + deadline_s

    async def voter() -> None:
        http = RawHTTP(port)
        try:
            for i in todo:
                if time.monotonic() > deadline:
                    storm.outcomes["not_sent_deadline"] += 1
                    continue
                option, body = bodies[i]
                storm.attempted += 1
                started = time.perf_counter()
                try:
                    status, data = await asyncio.wait_for(http.request("POST", path, body, {}),
                                                          timeout=max(0.1, deadline - time.monotonic()))
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                    storm.outcomes[type(exc).__name__] += 1
                    await http.close()
                    continue
                storm.request_ms[round((time.perf_counter() - started) * 1000)] += 1
                if status == 201:
                    storm.accepted[option] += 1
                    storm.outcomes["accepted"] += 1
                    storm.last_accepted = time.time()
                else:
                    storm.outcomes[error_code(status, data)] += 1
        finally:
            await http.close()

    storm.started = time.time()
    await asyncio.gather(*(voter() for _ in range(min(concurrency, voters))))
    storm.ended = time.time()
