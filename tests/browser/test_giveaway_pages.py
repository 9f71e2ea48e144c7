"""A giveaway in a real Chromium against the demo server (issue 19): the host starts it from the host page's form,
a viewer on a phone enters it from the player (a second viewer with the same email is refused in the form), the
host draws it early, the winner sees its claim link, claims the prize with a delivery address and gets an order at
price 0; the proof page (in English and in French) redoes the draw with Web Crypto and says it is verified, and so
does tools/verify_giveaway.py, README's stdlib checker, run as a script against the server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from server.demo import ADMIN
from tests.support.browser import BUYER, DESKTOP, PHONE, OpenPage, assert_fits, sign_in_host, token_for
from tests.support.buying import COAT, Demo, coat_of, shot

pytestmark = pytest.mark.browser

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_giveaway.py"
ENTRY = re.compile(r"You're in! Your entry number: (\S+)")


def enter_as(page: Page, name: str, email: str) -> None:
    card = page.get_by_test_id("game-giveaway")
    card.get_by_test_id("giveaway-name").fill(name)
    card.get_by_test_id("giveaway-email").fill(email)
    card.get_by_test_id("giveaway-enter").click()


def test_a_viewer_enters_wins_claims_and_checks_the_draw(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    coat = coat_of(server, demo)
    size_m = next(v for v in coat["variants"] if v["label"] == "M")

    host = open_page(f"/host/{demo['show_id']}", viewport=DESKTOP)
    sign_in_host(host, demo["host_email"], demo["password"])
    viewer = open_page(f"/watch/{demo['show_id']}")
    twin = open_page(f"/watch/{demo['show_id']}")  # another person who types the same email
    for page in (viewer, twin):
        expect(page.get_by_test_id("connection")).to_be_hidden()

    # the host starts it from its form: the coat in M, two winners
    panel = host.get_by_test_id("games-panel")
    panel.get_by_test_id("games-tab-giveaway").click()
    panel.get_by_test_id("giveaway-product").select_option(coat["id"])
    panel.get_by_test_id("giveaway-variant").select_option(size_m["id"])
    panel.get_by_test_id("giveaway-winners").fill("2")
    panel.get_by_test_id("giveaway-duration").fill("600")
    host.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")  # a host scrolled down the page
    panel.get_by_test_id("giveaway-start").click()
    live = panel.get_by_test_id("giveaway-live")
    expect(live.get_by_test_id("giveaway-prize")).to_have_text(f"{COAT} · M")
    # the long form went: the page brings its game into sight, its head clear of the sticky top bar
    expect(live.get_by_test_id("giveaway-state")).to_be_in_viewport(ratio=1)
    bar, head = host.locator("header.bar").bounding_box(), live.get_by_test_id("giveaway-state").bounding_box()
    assert bar is not None and head is not None and head["y"] >= bar["y"] + bar["height"], (bar, head)
    expect(live.get_by_test_id("giveaway-count")).to_have_text("0 entries · 2 winners")

    # the viewer's card: the prize, the countdown, no purchase necessary, the rules with the commitment
    card = viewer.get_by_test_id("game-giveaway")
    expect(card.get_by_test_id("giveaway-prize")).to_have_text(COAT)
    expect(card.get_by_test_id("giveaway-variant")).to_have_text("Size M")
    expect(card.get_by_test_id("game-countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(card.get_by_test_id("giveaway-free")).to_have_text("No purchase necessary.")
    card.locator(".giveaway-details summary").click()
    expect(card.get_by_test_id("giveaway-rules")).to_contain_text("2 winners")
    expect(card.get_by_test_id("giveaway-rules")).to_contain_text("fingerprint")
    shot(viewer, "giveaway-card-phone")

    enter_as(viewer, "Léa Martin", BUYER["email"])
    expect(card.get_by_test_id("giveaway-entered")).to_have_text(ENTRY)
    entry_id = ENTRY.match(card.get_by_test_id("giveaway-entered").inner_text() or "")
    assert entry_id is not None
    entry = entry_id.group(1)
    expect(card.get_by_test_id("giveaway-name")).to_be_hidden()  # entered: the form goes
    assert BUYER["email"] not in viewer.content(), "the email is never shown"

    enter_as(twin, "Lea again", BUYER["email"].upper())  # one entry per email: refused in the form
    expect(twin.get_by_test_id("giveaway-form-error")).to_have_text(
        "You have already entered this giveaway (one entry per person and per email).")
    expect(twin.get_by_test_id("giveaway-entered")).to_be_hidden()

    # a second entry over HTTP (a signed-in account); both entries win
    r = httpx.post(f"{server.base_url}/api/shows/{demo['show_id']}/giveaways/"
                   f"{host_giveaway_id(host)}/entries", json={"name": "Admin Fan", "email": "fan@example.com"},
                   headers=token_for(server.base_url, ADMIN, demo["password"]), timeout=10)
    assert r.status_code == 201, r.text
    for count in (card.get_by_test_id("giveaway-count"), twin.get_by_test_id("giveaway-count")):
        expect(count).to_have_text("2 entries")
    expect(live.get_by_test_id("giveaway-count")).to_have_text("2 entries · 2 winners")

    # the host draws now, after an in-page confirmation
    live.get_by_test_id("giveaway-end").click()
    live.get_by_test_id("giveaway-end-yes").click()
    expect(live.get_by_test_id("giveaway-drawn")).to_contain_text("Léa Martin")
    expect(live.get_by_test_id("giveaway-drawn")).to_contain_text("Admin Fan")

    # the winner: the names, "you won", then its own claim link
    expect(card.get_by_test_id("giveaway-winners")).to_contain_text("Léa Martin")
    expect(card.get_by_test_id("giveaway-won")).to_contain_text("You won!")
    expect(twin.get_by_test_id("giveaway-won")).to_have_count(0)
    claim_link = card.get_by_test_id("giveaway-claim")
    expect(claim_link).to_have_attribute("href", re.compile(r"/claim/"))
    shot(viewer, "giveaway-won-phone")

    # the claim page: the prize, the deadline, the delivery address; then the order at price 0
    with viewer.context.expect_page() as opened:
        claim_link.click()
    claim = opened.value
    expect(claim.get_by_test_id("claim-heading")).to_have_text("You won this giveaway")
    expect(claim.get_by_test_id("claim-greeting")).to_have_text("Congratulations, Léa Martin!")
    expect(claim.get_by_test_id("claim-product")).to_have_text(COAT)
    expect(claim.get_by_test_id("claim-variant")).to_have_text("Size M · free")
    expect(claim.get_by_test_id("claim-deadline")).to_contain_text("Claim it before")
    expect(claim.get_by_test_id("claim-name")).to_have_value("Léa Martin")
    claim.get_by_test_id("claim-submit").click()  # nothing but the name: the form says what is missing
    expect(claim.locator("#f-email-error")).to_have_text("Required")
    claim.get_by_test_id("claim-email").fill(BUYER["email"])
    claim.get_by_test_id("claim-line1").fill(BUYER["line1"])
    claim.get_by_test_id("claim-postal").fill("7500")  # not a French postal code: refused before sending
    claim.get_by_test_id("claim-city").fill(BUYER["city"])
    claim.get_by_test_id("claim-submit").click()
    expect(claim.locator("#f-postal_code-error")).to_contain_text("not valid")
    claim.get_by_test_id("claim-postal").fill(BUYER["postal_code"])
    assert_fits(claim, "[data-testid=claim-submit]")
    shot(claim, "giveaway-claim-phone", full_page=True)
    claim.get_by_test_id("claim-submit").click()
    claim_url = claim.url
    expect(claim.get_by_test_id("claim-heading")).to_have_text("It's yours!")
    expect(claim.get_by_test_id("claim-done")).to_contain_text("Order ord_")
    claim.get_by_test_id("claim-order").click()
    expect(claim.get_by_test_id("order-total")).to_have_text("€0.00")
    expect(claim.get_by_test_id("order-product")).to_have_text(COAT)
    expect(claim.get_by_test_id("order-address")).to_contain_text(BUYER["line1"])
    claim.goto(claim_url)  # the link again, once claimed
    expect(claim.get_by_test_id("claim-heading")).to_have_text("This prize has been claimed")
    expect(claim.get_by_test_id("claim-submit")).to_be_hidden()

    # the proof page, from the card's rules: verified, and this viewer's entry found among the winners
    gid = host_giveaway_id(host)
    proof = open_page(f"/giveaways/{gid}/proof?entry={entry}")
    expect(proof.get_by_test_id("proof-verdict")).to_have_text("Verified ✓")
    expect(proof.get_by_test_id("proof-checks").locator("[data-ok=true]")).to_have_count(2)
    expect(proof.get_by_test_id("proof-entry-result")).to_contain_text("You won!")
    expect(proof.get_by_test_id("proof-winners").locator("li")).to_have_count(2)
    proof.get_by_test_id("proof-entry").fill("ent_not_mine")
    proof.get_by_test_id("proof-entry-check").click()
    expect(proof.get_by_test_id("proof-entry-result")).to_have_text(
        "No entry ent_not_mine in this draw: check the number.")
    assert_fits(proof, "[data-testid=proof-seed]", "[data-testid=proof-commitment]")
    shot(proof, "giveaway-proof-phone", full_page=True)
    expect(card.get_by_test_id("giveaway-proof")).to_have_attribute("href", f"/giveaways/{gid}/proof?entry={entry}")
    french = open_page(f"/giveaways/{gid}/proof", locale="fr-FR", viewport=PHONE)
    expect(french.get_by_test_id("proof-verdict")).to_have_text("Vérifié ✓")
    # the algorithm as the server publishes it stays in English: marked so, for a screen reader on a French page
    expect(french.get_by_test_id("proof-algorithm")).to_contain_text("SHA-256")
    expect(french.get_by_test_id("proof-algorithm")).to_have_attribute("lang", "en")

    bogus = open_page("/claim/not-a-claim-token")
    expect(bogus.get_by_test_id("claim-error")).to_have_text("This claim link is not valid.")

    # README's checker, the script itself, over HTTP
    done = subprocess.run([sys.executable, str(TOOL), f"{server.base_url}/giveaways/{gid}/proof", entry],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.startswith("verified"), (done.stdout, done.stderr)


def host_giveaway_id(host: Page) -> str:
    """The giveaway the host page shows (the proof link of its live view carries its id)."""
    href = host.get_by_test_id("giveaway-proof").get_attribute("href") or ""
    found = re.search(r"/giveaways/([^/]+)/proof", href)
    assert found is not None, href
    return found.group(1)
