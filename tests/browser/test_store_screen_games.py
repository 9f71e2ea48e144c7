"""Issue 19 on the pop-up store's big screen, in a real Chromium against a server process seeded with the demo
(whose store follows the demo's live show): a game started in the show takes the screen large, its figures move
as viewers play over HTTP, its code (read by zbarimg from a screenshot) opens the game on a phone, and its result
stays about 20 s before the screen goes back to the pinned product."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import ViewportSize, expect

from server.stores.qr import version
from tests.support.browser import PHONE, SHOTS, OpenPage, token_for
from tests.support.played import end_over_http, enter_over_http, start_over_http, vote_over_http
from tests.support.processes import ServerProcess
from tests.support.qrcodes import read_code, wait_for_screen_code

pytestmark = pytest.mark.browser

BIG_SCREEN: ViewportSize = {"width": 1920, "height": 1080}
TOTEM: ViewportSize = {"width": 1080, "height": 1920}
RESULT_WAIT_MS = 40_000  # the result shows 20 s (static/store/screen-games.js RESULT_MS); a loaded machine is slow


def pin(base_url: str, show_id: str, product_id: str, headers: dict[str, str]) -> None:
    r = httpx.post(f"{base_url}/api/shows/{show_id}/pin", json={"product_id": product_id}, headers=headers,
                   timeout=10)
    assert r.status_code == 200, r.text


def test_the_store_screen_shows_the_running_poll_with_a_code_that_opens_it(
        open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]], tmp_path: Path) -> None:
    server, demo = demo_server
    base, sid = server.base_url, demo["show_id"]
    host = token_for(base, demo["host_email"], demo["password"])
    product = httpx.get(f"{base}/api/shows/{sid}", timeout=10).json()["products"][0]
    pin(base, sid, product["id"], host)

    screen = open_page(f"/stores/{demo['store_id']}/screen", viewport=BIG_SCREEN)
    game = screen.get_by_test_id("screen-game")
    code = screen.get_by_test_id("screen-qr")
    expect(screen.get_by_test_id("screen-pinned-title")).to_have_text(product["title"])
    wait_for_screen_code(screen, product["id"])
    expect(game).to_be_hidden()

    poll = start_over_http(base, sid, "polls", host, question="Which colour for the next drop?",
                           options=["Sand", "Ink blue", "Moss"], duration_s=600)
    expect(game).to_be_visible()
    expect(screen.get_by_test_id("screen-game-kind")).to_have_text("Poll")
    expect(screen.get_by_test_id("screen-game-question")).to_have_text("Which colour for the next drop?")
    expect(screen.get_by_test_id("screen-game-clock")).to_contain_text("Ends in 9:")
    rows = {o["id"]: screen.get_by_test_id(f"screen-game-option-{o['id']}") for o in poll["options"]}
    expect(rows["o2"]).to_contain_text("Ink blue")
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("0 votes")
    expect(screen.get_by_test_id("screen-pinned")).to_be_hidden()  # the game has the screen, and the code

    # the code opens the game on a phone: the player at this game, read by a real QR reader off the screen
    wait_for_screen_code(screen, f"game_id={poll['id']}")
    link = f"{base}/watch/{sid}#game={poll['id']}"
    assert read_code(code, tmp_path / "poll.png") == link
    assert version(link) <= 6, "short enough for a code read from a few metres"
    expect(screen.get_by_test_id("screen-qr-caption")).to_have_text("Scan to vote from your phone")

    # the bars move as the votes come (three viewers, each with its own token, over HTTP)
    vote_over_http(base, sid, poll["id"], "o2")
    expect(rows["o2"]).to_have_attribute("data-votes", "1")
    expect(rows["o2"]).to_contain_text("100%")  # the page's language: "100 %" in French, as on the player
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("1 vote")
    vote_over_http(base, sid, poll["id"], "o2")
    vote_over_http(base, sid, poll["id"], "o3")
    expect(rows["o2"]).to_have_attribute("data-votes", "2")
    expect(rows["o3"]).to_have_attribute("data-votes", "1")
    expect(rows["o2"]).to_contain_text("67%")
    expect(rows["o1"]).to_contain_text("0%")
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("3 votes")
    widths = {i: row.locator(".game-fill").evaluate("el => el.getBoundingClientRect().width")
              for i, row in rows.items()}
    assert widths["o2"] > widths["o3"] > widths["o1"] == 0, widths

    # large on the big screen, whole, beside a code as large as the product's
    box, qr = game.bounding_box(), code.bounding_box()
    assert box is not None and qr is not None
    assert box["width"] >= 0.5 * BIG_SCREEN["width"] and box["y"] + box["height"] <= BIG_SCREEN["height"], box
    assert qr["height"] >= 0.4 * BIG_SCREEN["height"] and qr["x"] >= box["x"] + box["width"], (qr, box)
    assert screen.evaluate("document.scrollingElement.scrollWidth") <= BIG_SCREEN["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=SHOTS / "store-screen-poll-1920.png", animations="disabled")

    # the end: the final tally and its leader, then the product again
    final = end_over_http(base, sid, "polls", poll["id"], host)
    assert final["votes"] == {"o1": 0, "o2": 2, "o3": 1}
    expect(screen.get_by_test_id("screen-game-clock")).to_have_text("Result")
    expect(rows["o2"]).to_have_class("game-option game-lead")
    expect(rows["o3"]).to_have_class("game-option")
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("3 votes")
    expect(screen.get_by_test_id("screen-qr-caption")).to_have_text("Scan to watch the show and play the next game")
    screen.screenshot(path=SHOTS / "store-screen-poll-result-1920.png", animations="disabled")
    expect(game).to_be_hidden(timeout=RESULT_WAIT_MS)
    expect(screen.get_by_test_id("screen-pinned-title")).to_have_text(product["title"])
    wait_for_screen_code(screen, f"product_id={product['id']}")


def test_a_quiz_on_a_totem_in_french_keeps_its_answer_until_the_end(
        open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]], tmp_path: Path) -> None:
    server, demo = demo_server
    base, sid = server.base_url, demo["show_id"]
    host = token_for(base, demo["host_email"], demo["password"])
    screen = open_page(None, viewport=TOTEM, locale="fr-FR")
    heard: list[str] = []  # every frame the screen's socket receives
    screen.on("websocket", lambda ws: ws.on("framereceived", lambda payload: heard.append(str(payload))))
    screen.goto(f"/stores/{demo['store_id']}/screen")
    expect(screen.get_by_test_id("screen-status")).to_have_text("EN DIRECT")
    quiz = start_over_http(base, sid, "quizzes", host, question="En quelle année la maison a-t-elle ouvert ?",
                           options=["1921", "1948", "1997"], answer=1, duration_s=600)
    expect(screen.get_by_test_id("screen-game-kind")).to_have_text("Quiz")
    expect(screen.get_by_test_id("screen-game-question")).to_have_text("En quelle année la maison a-t-elle ouvert ?")
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("0 réponse")
    vote_over_http(base, sid, quiz["id"], "o2", plural="quizzes", entries="answers")
    vote_over_http(base, sid, quiz["id"], "o3", plural="quizzes", entries="answers")
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("2 réponses")
    # nothing on the screen, nor in what its socket was sent, tells the right option before the end
    assert screen.locator(".game-right, .game-dim").count() == 0
    assert any('"quiz.started"' in frame for frame in heard) and any('"quiz.answers"' in frame for frame in heard)
    assert not [frame for frame in heard if "correct" in frame or '"answer"' in frame], heard
    expect(screen.get_by_test_id("screen-qr-caption")).to_have_text("Scannez pour répondre depuis votre téléphone")
    wait_for_screen_code(screen, f"game_id={quiz['id']}")
    link = f"{base}/watch/{sid}#game={quiz['id']}"
    assert read_code(screen.get_by_test_id("screen-qr"), tmp_path / "quiz.png") == link
    # the totem: the game and the code, one under the other, both whole
    for what in ("screen-game", "screen-qr", "screen-qr-caption"):
        box = screen.get_by_test_id(what).bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, (what, box)
        assert box["x"] + box["width"] <= TOTEM["width"] and box["y"] + box["height"] <= TOTEM["height"], (what, box)
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=SHOTS / "store-screen-quiz-totem-fr.png", animations="disabled")

    end_over_http(base, sid, "quizzes", quiz["id"], host)
    expect(screen.get_by_test_id("screen-game-clock")).to_have_text("Résultat")
    assert any('"quiz.ended"' in frame and '"correct_option_id":"o2"' in frame.replace(" ", "") for frame in heard)
    expect(screen.get_by_test_id("screen-game-option-o2")).to_have_class("game-option game-right")
    expect(screen.get_by_test_id("screen-game-option-o1")).to_have_class("game-option game-dim")
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("1 a trouvé la bonne réponse · 2 réponses")

    # a giveaway next: named as the player and the host name it in French
    product = httpx.get(f"{base}/api/shows/{sid}", timeout=10).json()["products"][0]
    variant = next(v for v in product["variants"] if v["available"] > 0)
    start_over_http(base, sid, "giveaways", host, prize={"product_id": product["id"], "variant_id": variant["id"]},
                    winners=1, duration_s=600, eligibility="everyone")
    expect(screen.get_by_test_id("screen-game-kind")).to_have_text("Tirage au sort")


def test_the_screens_code_opens_the_game_in_front_on_a_phone(
        open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    """The player's side of the screen's code: /watch/{show}#game={id} opens the games tray at that game's card
    (static/player/game-link.js), also when the viewer had folded the tray, and when scanned again later."""
    server, demo = demo_server
    base, sid = server.base_url, demo["show_id"]
    host = token_for(base, demo["host_email"], demo["password"])
    poll = start_over_http(base, sid, "polls", host, question="Which colour next?",
                           options=["Sand", "Moss", "Ink blue", "Rust", "Cream", "Charcoal"], duration_s=600)
    phone = open_page(f"/watch/{sid}#game={poll['id']}", viewport=PHONE)
    card = phone.locator(f".game-slot[data-id='{poll['id']}']")
    expect(card).to_have_attribute("data-linked", "")
    expect(card).to_be_in_viewport()
    # a card taller than the tray: its top (the kind, the countdown) right under the tray's header, not behind it
    header, top = phone.get_by_test_id("games-toggle").bounding_box(), card.bounding_box()
    assert header is not None and top is not None and top["y"] >= header["y"] + header["height"], (header, top)
    expect(card.get_by_test_id("game-countdown")).to_be_in_viewport(ratio=1)
    expect(phone.get_by_test_id("games-toggle")).to_have_attribute("aria-expanded", "true")
    expect(card).not_to_have_attribute("data-linked", "", timeout=15_000)  # marked for a moment only

    # folded away, then the code scanned again: the tray opens at the card
    phone.get_by_test_id("games-toggle").click()
    expect(phone.get_by_test_id("games-toggle")).to_have_attribute("aria-expanded", "false")
    phone.evaluate("id => { location.hash = ''; location.hash = `game=${id}`; }", poll["id"])
    expect(phone.get_by_test_id("games-toggle")).to_have_attribute("aria-expanded", "true")
    expect(card).to_have_attribute("data-linked", "")
    expect(card).to_be_in_viewport()


def test_six_options_and_a_long_question_fit_every_screen(
        open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]]) -> None:
    server, demo = demo_server
    base, sid = server.base_url, demo["show_id"]
    host = token_for(base, demo["host_email"], demo["password"])
    question = ("Between the six shades of our autumn wool coats, which one would you wear from the first cold "
                "mornings of November to the last grey days of February, in town and on weekends?")
    options = ["Sand dune beige", "Deep ink blue", "Moss green", "Charcoal grey", "Rust orange", "Off-white cream"]
    start_over_http(base, sid, "polls", host, question=question, options=options, duration_s=600)
    screen = open_page(f"/stores/{demo['store_id']}/screen", viewport=BIG_SCREEN)
    game = screen.get_by_test_id("screen-game")
    expect(screen.get_by_test_id("screen-game-option-o6")).to_contain_text("Off-white cream")
    for viewport in (BIG_SCREEN, TOTEM, {"width": 800, "height": 600}, {"width": 1280, "height": 720}):
        screen.set_viewport_size(viewport)
        frame = game.bounding_box()
        assert frame is not None
        for part in ("screen-game-question", "screen-game-option-o1", "screen-game-option-o6", "screen-game-figure",
                     "screen-qr", "screen-qr-caption"):
            box = screen.get_by_test_id(part).bounding_box()
            assert box is not None and box["x"] >= 0 and box["y"] >= 0, (viewport, part, box)
            assert box["x"] + box["width"] <= viewport["width"] + 1, (viewport, part, box)
            assert box["y"] + box["height"] <= viewport["height"] + 1, (viewport, part, box)
            if part.startswith("screen-game"):  # inside the game's frame, nothing cut off by it
                assert box["y"] + box["height"] <= frame["y"] + frame["height"] + 1, (viewport, part, box, frame)
        screen.screenshot(path=SHOTS / f"store-screen-poll6-{viewport['width']}x{viewport['height']}.png",
                          animations="disabled")


def test_a_giveaway_on_the_screen_its_prize_its_entries_then_its_winner(
        open_page: OpenPage, demo_server: tuple[ServerProcess, dict[str, str]], tmp_path: Path) -> None:
    server, demo = demo_server
    base, sid = server.base_url, demo["show_id"]
    host = token_for(base, demo["host_email"], demo["password"])
    product = httpx.get(f"{base}/api/shows/{sid}", timeout=10).json()["products"][0]
    variant = next(v for v in product["variants"] if v["available"] > 0)
    screen = open_page(f"/stores/{demo['store_id']}/screen", viewport=BIG_SCREEN)
    expect(screen.get_by_test_id("screen-status")).to_have_text("LIVE")
    giveaway = start_over_http(base, sid, "giveaways", host, prize={"product_id": product["id"],
                                                                     "variant_id": variant["id"]},
                               winners=1, duration_s=600, eligibility="everyone")
    expect(screen.get_by_test_id("screen-game-kind")).to_have_text("Giveaway")
    expect(screen.get_by_test_id("screen-game-question")).to_have_text(f"Win: {product['title']}")
    expect(screen.get_by_test_id("screen-game-prize")).to_have_text(
        f"Size {variant['label']} · 1 winner · No purchase necessary")
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("0 entries")
    expect(screen.get_by_test_id("screen-qr-caption")).to_have_text(
        "Scan to enter from your phone — no purchase necessary")
    wait_for_screen_code(screen, f"game_id={giveaway['id']}")
    link = f"{base}/watch/{sid}#game={giveaway['id']}"
    assert read_code(screen.get_by_test_id("screen-qr"), tmp_path / "giveaway.png") == link
    enter_over_http(base, sid, giveaway["id"], "Inès")
    enter_over_http(base, sid, giveaway["id"], "Tom")
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("2 entries")
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=SHOTS / "store-screen-giveaway-1920.png", animations="disabled")

    drawn = end_over_http(base, sid, "giveaways", giveaway["id"], host)
    winner = drawn["drawn"][0]["name"]
    assert winner in ("Inès", "Tom")
    expect(screen.get_by_test_id("screen-game-clock")).to_have_text("Winners")
    expect(screen.get_by_test_id("screen-game-options")).to_have_text(winner)
    expect(screen.get_by_test_id("screen-game-figure")).to_have_text("2 entries")
    assert "@example.com" not in screen.content()
    screen.screenshot(path=SHOTS / "store-screen-giveaway-drawn-1920.png", animations="disabled")
