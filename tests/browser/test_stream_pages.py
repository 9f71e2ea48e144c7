"""The show's stream as a person sees it, in a real Chromium against a real server seeded with the demo: a
stream that answers 404 says so ("the video is unavailable; the host is still live here") while buying goes
on, is tried again and plays when it comes back; a playable stream (a WAV file served by a small HTTP server
of the test's own: Chromium plays it, and this machine has no ffmpeg) plays with no such message; the host
page's preview tells the stream's state."""

from __future__ import annotations

import io
import threading
import time
import wave
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from server.demo import SELLER
from tests.support.browser import BUYER, SHOTS, OpenPage, sign_in_host, token_for
from tests.support.processes import ServerProcess

pytestmark = pytest.mark.browser

Demo = tuple[ServerProcess, dict[str, str]]
COAT = "Oversized wool coat"
UNAVAILABLE = "The video is unavailable; the host is still live here."
BACK_MS = 60_000  # retries come 5, 10, 20, then every 30 s: a stream that comes back plays within this


def tone(seconds: int = 120) -> bytes:
    """A WAV file of silence (8 kHz, 8-bit, mono): a media file Chromium plays."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * 8000 * seconds)
    return out.getvalue()


@dataclass
class Media:
    """A small HTTP server on 127.0.0.1: the paths in `files` answer their bytes, any other a 404."""

    base: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)


@pytest.fixture
def media() -> Iterator[Media]:
    found = Media()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found.hits[self.path] += 1
            body = found.files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("content-type", "audio/wav" if body is not None else "text/plain")
            self.send_header("content-length", str(len(body or b"not found")))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):  # the browser read what it needed
                self.wfile.write(body or b"not found")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


def live_show(server: ServerProcess, demo: dict[str, str], stream_url: str) -> str:
    """A live show of the demo host's with this stream, the demo's coat in it and pinned. With MEDIA_HOSTS
    unset (the demo server's), any http(s) stream is allowed, by the API and by the pages' CSP alike."""
    headers = token_for(server.base_url, demo["host_email"], demo["password"])
    products = httpx.get(f"{server.base_url}/api/shows/{demo['show_id']}", timeout=10).json()["products"]
    coat = next(p["id"] for p in products if p["title"] == COAT)
    r = httpx.post(f"{server.base_url}/api/shows", json={"title": "Stream test", "stream_url": stream_url,
                                                         "product_ids": [coat]}, headers=headers, timeout=10)
    assert r.status_code == 201, r.text
    show_id = str(r.json()["id"])
    for path, body in (("start", None), ("pin", {"product_id": coat})):
        r = httpx.post(f"{server.base_url}/api/shows/{show_id}/{path}", json=body, headers=headers, timeout=10)
        assert r.status_code == 200, r.text
    return show_id


def store_following(server: ServerProcess, demo: dict[str, str], show_id: str) -> str:
    """A pop-up store of the demo seller's whose screen plays this show."""
    headers = token_for(server.base_url, SELLER, demo["password"])
    r = httpx.post(f"{server.base_url}/api/stores", json={"name": "Stream test store", "show_id": show_id},
                   headers=headers, timeout=10)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def buy_the_coat(page: Page) -> None:
    expect(page.get_by_test_id("pinned-title")).to_have_text(COAT)
    page.get_by_test_id("size-M").click()
    page.get_by_test_id("buy").click()
    page.get_by_test_id("checkout-name").fill(BUYER["name"])
    page.get_by_test_id("checkout-email").fill(BUYER["email"])
    page.get_by_test_id("checkout-line1").fill(BUYER["line1"])
    page.get_by_test_id("checkout-postal").fill(BUYER["postal_code"])
    page.get_by_test_id("checkout-city").fill(BUYER["city"])
    page.get_by_test_id("checkout-country").select_option(BUYER["country"])
    page.get_by_test_id("checkout-submit").click()
    expect(page.get_by_test_id("order-placed")).to_be_visible()


def test_a_stream_that_answers_404_says_so_while_buying_goes_on(
        open_page: OpenPage, demo_server: Demo, media: Media) -> None:
    server, demo = demo_server
    show_id = live_show(server, demo, f"{media.base}/live/show.wav")  # nothing there yet: 404

    viewer = open_page(f"/watch/{show_id}")
    expect(viewer.get_by_test_id("poster-text")).to_have_text(UNAVAILABLE)
    expect(viewer.get_by_test_id("status")).to_have_text("LIVE")  # the host is live: the page says both
    SHOTS.mkdir(parents=True, exist_ok=True)
    viewer.screenshot(path=SHOTS / "stream-unavailable-phone.png", animations="disabled")
    buy_the_coat(viewer)
    viewer.get_by_test_id("placed-close").click()
    french = open_page(f"/watch/{show_id}", locale="fr-FR")
    expect(french.get_by_test_id("poster-text")).to_have_text(
        "La vidéo est indisponible ; l'animateur est toujours en direct ici.")

    host = open_page(f"/host/{show_id}")
    sign_in_host(host, demo["host_email"], demo["password"])
    expect(host.get_by_test_id("stream-state")).to_have_text("Unavailable, retrying")
    host.screenshot(path=SHOTS / "stream-host-preview-phone.png", animations="disabled")
    screen = open_page(f"/stores/{store_following(server, demo, show_id)}/screen", viewport={"width": 1920,
                                                                                          "height": 1080})
    expect(screen.get_by_test_id("screen-poster-text")).to_have_text(
        "The video is unavailable; the show goes on: scan to buy.")
    expect(screen.get_by_test_id("screen-qr")).to_be_visible()  # the code still sells

    deadline = time.monotonic() + 30
    while media.hits["/live/show.wav"] < 5 and time.monotonic() < deadline:  # four pages, and retries
        time.sleep(0.2)
    assert media.hits["/live/show.wav"] >= 5, media.hits

    media.files["/live/show.wav"] = tone()  # the stream comes back: the next retry plays it
    expect(viewer.locator("#app.playing")).to_be_attached(timeout=BACK_MS)
    expect(viewer.get_by_test_id("poster-text")).to_be_hidden()
    expect(host.get_by_test_id("stream-state")).to_have_text("Playing", timeout=BACK_MS)
    expect(screen.locator("#app.playing")).to_be_attached(timeout=BACK_MS)


def test_a_playable_stream_plays_with_no_unavailable_message(
        open_page: OpenPage, demo_server: Demo, media: Media) -> None:
    server, demo = demo_server
    media.files["/live/tone.wav"] = tone()
    show_id = live_show(server, demo, f"{media.base}/live/tone.wav")

    viewer = open_page(f"/watch/{show_id}")
    expect(viewer.locator("#app.playing")).to_be_attached()
    expect(viewer.get_by_test_id("poster-text")).to_be_hidden()
    assert viewer.get_by_test_id("poster-text").text_content() != UNAVAILABLE
    assert viewer.evaluate("document.getElementById('video').error") is None
    buy_the_coat(viewer)

    host = open_page(f"/host/{show_id}")
    sign_in_host(host, demo["host_email"], demo["password"])
    expect(host.get_by_test_id("stream-state")).to_have_text("Playing")
    assert host.evaluate("document.getElementById('preview').muted") is True
