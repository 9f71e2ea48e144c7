"""tools/verify_giveaway.py, the stdlib checker README quotes, against real drawn giveaways on both backends: a
draw verifies, a prize passed down the ranking still verifies, and a proof tampered with in any part does not.
(The browser test runs the script itself against a server process, over HTTP.)"""

from __future__ import annotations

import copy
import importlib.util
import secrets
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support.api import Api, open_shop
from tests.support.games import age_claims, end_game, enter, start_giveaway, sweep_claims

TOOL = Path(__file__).resolve().parent.parent / "tools" / "verify_giveaway.py"


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_giveaway", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def shop(api: Api) -> dict[str, Any]:
    return open_shop(api, stock=5, buyer_limit=10)


def drawn(api: Api, shop: dict[str, Any], *, winners: int, entries: int) -> tuple[str, list[str]]:
    """A giveaway with `entries` entries, drawn now: its id and the entry ids."""
    gid = start_giveaway(api, shop, winners=winners).json()["id"]
    ids = []
    for i in range(entries):
        r = enter(api, shop, gid, viewer=f"vwr_{secrets.token_hex(6)}", name=f"Fan {i}",
                  email=f"fan-{secrets.token_hex(6)}@example.com")
        assert r.status_code == 201, r.text
        ids.append(r.json()["entry_id"])
    assert end_game(api, shop, "giveaways", gid).status_code == 200
    return gid, ids


def test_the_checker_verifies_a_real_draw_and_refuses_a_tampered_proof(api: Api, shop: dict[str, Any]) -> None:
    check = load_tool().check
    gid, ids = drawn(api, shop, winners=3, entries=8)
    proof = api.client.get(f"/api/giveaways/{gid}/proof").json()
    assert len(proof["winners"]) == 3
    assert check(proof) == []
    assert check(proof, ids[5]) == [], "an entry of the draw is listed"
    assert "not among the 8 entries" in check(proof, "ent_someone_else")[0]

    other_seed = {**proof, "seed": secrets.token_hex(32)}
    assert any("commitment" in problem for problem in check(other_seed))
    reordered = {**proof, "winners": list(reversed(proof["winners"]))}
    assert any("smallest HMAC" in problem for problem in check(reordered))
    loser = next(e for e in proof["entries"] if e not in proof["winners"])
    swapped = {**proof, "winners": [*proof["winners"][:2], loser]}
    assert any("smallest HMAC" in problem for problem in check(swapped))
    fewer = copy.deepcopy(proof)
    fewer["entries"].remove(proof["winners"][0])
    assert check(fewer), "an entry taken out of the published list changes the draw"


def test_the_checker_follows_a_prize_passed_down_the_ranking(api: Api, shop: dict[str, Any]) -> None:
    check = load_tool().check
    gid, _ = drawn(api, shop, winners=1, entries=3)
    first = api.client.get(f"/api/giveaways/{gid}/proof").json()
    api.call(age_claims, api=api, game_id=gid)
    sweep_claims(api)
    proof = api.client.get(f"/api/giveaways/{gid}/proof").json()
    assert proof["passed"] == first["winners"] and proof["winners"] != first["winners"]
    assert check(proof) == []
    assert check({**proof, "passed": []}), "a winner that skips the first of the ranking is not the draw's"
