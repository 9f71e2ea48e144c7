"""Polls and quizzes in a real Chromium against the demo server (issue 19): a viewer votes on a phone and the bars
move with the others' votes; a quiz answered on the player and ended from the host page reveals the right option
and the winner's own voucher code, and never the answer before; the host starts a poll from its form, watches it,
ends it early after an in-page confirmation and reads the final tally."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from server.demo import ADMIN, SELLER
from tests.support.browser import DESKTOP, OpenPage, overlaps, pin_over_http, sign_in_host, token_for
from tests.support.buying import COAT, Demo, coat_of, shot

pytestmark = pytest.mark.browser

CLOCK = re.compile(r"^\d+:\d\d$")


def host_call(demo_server: Demo, method: str, path: str, body: dict[str, Any] | None = None,
              *, email: str | None = None) -> dict[str, Any]:
    """An API call as the demo's host (or as `email`), which must succeed."""
    server, demo = demo_server
    headers = token_for(server.base_url, email or demo["host_email"], demo["password"])
    r = httpx.request(method, f"{server.base_url}{path}", json=body, headers=headers, timeout=10)
    assert r.status_code in (200, 201), r.text
    answer: dict[str, Any] = r.json()
    return answer


def vote_as(demo_server: Demo, email: str, plural: str, game: dict[str, Any], option_id: str) -> None:
    """A vote or answer over HTTP by a signed-in account (its bearer makes it a voter of its own)."""
    entries = "votes" if plural == "polls" else "answers"
    host_call(demo_server, "POST", f"/api/shows/{game['show_id']}/{plural}/{game['id']}/{entries}",
              {"option_id": option_id}, email=email)


def live_player(open_page: OpenPage, demo: dict[str, str], **options: Any) -> Page:
    page = open_page(f"/watch/{demo['show_id']}", **options)
    expect(page.get_by_test_id("status")).to_have_class(re.compile(r"\bbadge-live\b"))
    expect(page.get_by_test_id("connection")).to_be_hidden()
    return page


def host_page(open_page: OpenPage, demo: dict[str, str], **options: Any) -> Page:
    page = open_page(f"/host/{demo['show_id']}", **options)
    sign_in_host(page, demo["host_email"], demo["password"])
    return page


def test_a_viewer_votes_and_sees_the_bars_move(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    pin_over_http(server, demo, coat_of(server, demo)["id"])
    viewer = live_player(open_page, demo)
    expect(viewer.get_by_test_id("pinned-title")).to_have_text(COAT)
    expect(viewer.get_by_test_id("games-tray")).to_be_hidden()  # no game: no tray
    poll = host_call(demo_server, "POST", f"/api/shows/{demo['show_id']}/polls",
                     {"question": "Which colour next?", "options": ["Camel", "Navy", "Olive"], "duration_s": 600})

    card = viewer.get_by_test_id("game-poll")
    expect(card).to_be_visible()
    expect(card.get_by_test_id("game-question")).to_have_text("Which colour next?")
    expect(card.get_by_test_id("game-countdown")).to_have_text(CLOCK)
    expect(card.get_by_test_id("game-status")).to_have_text("Tap your answer")
    expect(card.get_by_test_id("game-total")).to_have_text("0 votes")
    # on a phone the tray sits above the chat and leaves the pinned card whole and in sight
    tray, product = viewer.get_by_test_id("games-tray"), viewer.get_by_test_id("product-card")
    expect(product).to_be_in_viewport(ratio=1)
    assert not overlaps(tray.bounding_box(), product.bounding_box())

    navy = card.get_by_test_id("game-option-o2")
    navy.click()
    expect(card.get_by_test_id("game-status")).to_have_text("You voted ✓")
    expect(navy).to_have_attribute("aria-pressed", "true")
    expect(navy).to_be_disabled()
    expect(navy.get_by_test_id("game-pct")).to_have_text("100%")
    expect(card.get_by_test_id("game-total")).to_have_text("1 vote")
    shot(viewer, "games-poll-phone")

    vote_as(demo_server, ADMIN, "polls", poll, "o1")  # another voter, over HTTP: the bars move again
    expect(card.get_by_test_id("game-total")).to_have_text("2 votes")
    expect(card.get_by_test_id("game-option-o1").get_by_test_id("game-pct")).to_have_text("50%")
    expect(navy.get_by_test_id("game-pct")).to_have_text("50%")
    bar = navy.locator(".game-bar")
    assert bar.evaluate("b => b.style.width") == "50%"

    # the tray folds away and opens again
    viewer.get_by_test_id("games-toggle").click()
    expect(card).to_be_hidden()
    viewer.get_by_test_id("games-toggle").click()
    expect(card).to_be_visible()

    # a reload: the running poll and this viewer's own vote come back with the snapshot
    viewer.reload()
    card = viewer.get_by_test_id("game-poll")
    expect(card.get_by_test_id("game-status")).to_have_text("You voted ✓")
    expect(card.get_by_test_id("game-option-o2")).to_have_attribute("aria-pressed", "true")

    host_call(demo_server, "POST", f"/api/shows/{demo['show_id']}/polls/{poll['id']}/end")
    expect(card.get_by_test_id("game-status")).to_have_text("Poll closed: the final result")
    expect(card.get_by_test_id("game-countdown")).to_have_text("")
    expect(card.get_by_test_id("game-total")).to_have_text("2 votes")
    expect(card.get_by_test_id("game-option-o1")).to_be_disabled()
    viewer.get_by_test_id("game-close").click()  # an ended game's card may be closed at once
    expect(viewer.get_by_test_id("games-tray")).to_be_hidden()


def test_a_quiz_answered_on_the_player_and_ended_by_the_host(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    vouchers = host_call(demo_server, "GET", "/api/vouchers", email=SELLER)["items"]
    reward = next(v for v in vouchers if v["kind"] == "percent")
    host = host_page(open_page, demo, viewport=DESKTOP)
    winner = live_player(open_page, demo, locale="fr-FR")  # French, once
    loser = live_player(open_page, demo)

    panel = host.get_by_test_id("games-panel")
    panel.get_by_test_id("games-tab-quiz").click()
    expect(panel.get_by_test_id("games-pane-quiz")).to_be_visible()
    expect(panel.get_by_test_id("games-pane-poll")).to_be_hidden()
    panel.get_by_test_id("quiz-question").fill("Where is the coat made?")
    panel.get_by_test_id("quiz-option-0").fill("Portugal")
    panel.get_by_test_id("quiz-option-1").fill("France")
    panel.get_by_test_id("quiz-add-option").click()
    panel.get_by_test_id("quiz-option-2").fill("Italy")
    panel.get_by_test_id("quiz-start").click()
    expect(panel.get_by_test_id("quiz-error")).to_have_text("Tick the right answer.")  # nothing went out
    panel.get_by_test_id("quiz-right-1").check()
    panel.get_by_test_id("quiz-voucher").fill(reward["code"].lower())  # its code, as the seller gave it
    panel.get_by_test_id("quiz-start").click()
    live = panel.get_by_test_id("quiz-live")
    expect(live).to_be_visible()
    expect(panel.get_by_test_id("quiz-note")).to_have_text("Right answer (only you see it): France")
    expect(panel.get_by_test_id("quiz-total")).to_have_text("0 answers")
    expect(panel.get_by_test_id("games-tab-quiz")).to_have_attribute("data-running", "true")

    card = winner.get_by_test_id("game-quiz")
    expect(card).to_be_visible()
    expect(card.get_by_test_id("game-question")).to_have_text("Where is the coat made?")
    expect(card.get_by_test_id("game-status")).to_have_text("Touchez votre réponse")
    expect(card.locator(".game-reward")).to_have_text(re.compile(r"^Les bonnes réponses gagnent 10\s?% de réduction$"))
    for page in (winner, loser):  # the answer is nowhere in the page before the end
        html = page.content()
        assert "is-right" not in html and "correct" not in html, html
        assert page.locator(".game-option.is-right").count() == 0
    card.get_by_test_id("game-option-o2").click()
    expect(card.get_by_test_id("game-status")).to_have_text(
        "Réponse enregistrée : la bonne sera révélée à la fin")
    expect(card.get_by_test_id("game-option-o2")).to_have_class(re.compile(r"\bis-mine\b"))
    expect(card.locator(".game-option.is-right")).to_have_count(0)
    lost = loser.get_by_test_id("game-quiz")
    lost.get_by_test_id("game-option-o1").click()
    expect(lost.get_by_test_id("game-status")).to_have_text("Answer locked: the right one is revealed at the end")
    assert "correct" not in winner.content() and "correct" not in loser.content()
    expect(panel.get_by_test_id("quiz-total")).to_have_text("2 answers")

    panel.get_by_test_id("quiz-end").click()
    expect(panel.get_by_test_id("quiz-confirm")).to_be_visible()  # asked in the page, no dialog
    panel.get_by_test_id("quiz-end-yes").click()
    expect(panel.get_by_test_id("quiz-state")).to_have_text("Ended")
    expect(panel.get_by_test_id("quiz-total")).to_have_text("2 answers · 1 right answer")
    expect(panel.get_by_test_id("quiz-row-o2")).to_have_class(re.compile(r"\bis-right\b"))
    expect(panel.get_by_test_id("quiz-start")).to_be_visible()  # the form again, for the next one

    expect(card.get_by_test_id("game-status")).to_have_text("Bonne réponse !")
    expect(card.get_by_test_id("game-option-o2")).to_have_class(re.compile(r"\bis-right\b"))
    expect(card.get_by_test_id("game-total")).to_have_text("1 bonne réponse")
    code = card.get_by_test_id("quiz-code")
    expect(code).to_have_text(re.compile(r"^\S{4,}$"))
    expect(card.get_by_test_id("quiz-copy")).to_have_text("Copier")
    shot(winner, "games-quiz-won-phone-fr")
    quote = httpx.post(f"{server.base_url}/api/quotes", timeout=10, json={
        "product_id": coat_of(server, demo)["id"], "variant_id": coat_of(server, demo)["variants"][0]["id"],
        "quantity": 1, "voucher": code.inner_text(), "show_id": demo["show_id"]})
    assert quote.status_code == 200 and quote.json()["voucher"]["state"] == "valid", quote.text

    expect(lost.get_by_test_id("game-status")).to_have_text("Wrong: the answer was “France”")
    expect(lost.get_by_test_id("game-option-o1")).to_have_class(re.compile(r"\bis-wrong\b"))
    expect(lost.get_by_test_id("game-option-o2")).to_have_class(re.compile(r"\bis-right\b"))
    loser.wait_for_timeout(1500)  # the sweep tells winners within a second: nothing comes to this one
    expect(lost.get_by_test_id("quiz-prize")).to_have_count(0)


def test_the_host_starts_a_poll_watches_it_and_ends_it_early(open_page: OpenPage, demo_server: Demo) -> None:
    _, demo = demo_server
    host = host_page(open_page, demo)  # a phone
    panel = host.get_by_test_id("games-panel")
    expect(panel.get_by_test_id("poll-live")).to_be_hidden()
    expect(panel.get_by_test_id("poll-templates")).to_be_hidden()  # nothing started yet on this device
    panel.get_by_test_id("poll-question").fill("Coat or jeans next?")
    panel.get_by_test_id("poll-option-0").fill("Coat")
    panel.get_by_test_id("poll-option-1").fill("Jeans")
    panel.get_by_test_id("poll-add-option").click()
    panel.get_by_test_id("poll-option-2").fill("Both")
    panel.get_by_test_id("poll-duration").fill("300")
    panel.get_by_test_id("poll-start").click()

    expect(panel.get_by_test_id("poll-live")).to_be_visible()
    expect(panel.get_by_test_id("poll-state")).to_have_text("Running")
    expect(panel.get_by_test_id("poll-live-question")).to_have_text("Coat or jeans next?")
    expect(panel.get_by_test_id("poll-clock")).to_have_text(re.compile(r"^[45]:\d\d$"))
    expect(panel.get_by_test_id("poll-start")).to_be_hidden()  # one poll at a time
    listing = httpx.get(f"{demo_server[0].base_url}/api/shows/{demo['show_id']}/interactions", timeout=10).json()
    poll = listing["interactions"][0]
    assert poll["kind"] == "poll" and poll["status"] == "running", listing

    vote_as(demo_server, ADMIN, "polls", poll, "o3")
    vote_as(demo_server, SELLER, "polls", poll, "o1")
    expect(panel.get_by_test_id("poll-total")).to_have_text("2 votes")
    expect(panel.get_by_test_id("poll-row-o3")).to_contain_text("1 · 50%")

    panel.get_by_test_id("poll-end").click()
    expect(panel.get_by_test_id("poll-confirm")).to_be_visible()
    panel.get_by_test_id("poll-end-keep").click()  # changed its mind: still running
    expect(panel.get_by_test_id("poll-confirm")).to_be_hidden()
    expect(panel.get_by_test_id("poll-state")).to_have_text("Running")
    panel.get_by_test_id("poll-end").click()
    panel.get_by_test_id("poll-end-yes").click()
    expect(panel.get_by_test_id("poll-state")).to_have_text("Ended")
    expect(panel.get_by_test_id("poll-total")).to_have_text("2 votes")
    expect(panel.get_by_test_id("poll-row-o1")).to_contain_text("1 · 50%")
    expect(panel.get_by_test_id("poll-row-o2")).to_contain_text("0 · 0%")
    expect(panel.get_by_test_id("poll-end")).to_be_hidden()
    shot(host, "games-host-poll-ended-phone", full_page=True)
    ended = httpx.get(f"{demo_server[0].base_url}/api/shows/{demo['show_id']}/interactions", timeout=10).json()
    assert ended["interactions"][0]["end_reason"] == "host", ended

    # the body just started is a template for the next one, also after a reload
    host.reload()
    expect(host.get_by_test_id("end")).to_be_visible()
    panel = host.get_by_test_id("games-panel")
    expect(panel.get_by_test_id("poll-state")).to_have_text("Ended")  # the last poll's result, from the listing
    expect(panel.get_by_test_id("poll-total")).to_have_text("2 votes")
    panel.get_by_test_id("poll-template-0").click()
    expect(panel.get_by_test_id("poll-question")).to_have_value("Coat or jeans next?")
    expect(panel.get_by_test_id("poll-option-2")).to_have_value("Both")
    expect(panel.get_by_test_id("poll-duration")).to_have_value("300")
