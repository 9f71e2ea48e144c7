"""What a path that leads nowhere answers: an HTML page with a link home to a browser, the JSON error to an API
client; paths under /api answer JSON whatever the client accepts."""

from __future__ import annotations

import pytest

from tests.support.api import Api

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/no/such/page", "/static/nothing-here.html", "/watch", "/stores/x/nowhere"])
def test_a_browser_gets_an_html_page_with_a_link_home(memory_api: Api, path: str) -> None:
    r = memory_api.client.get(path, headers={"accept": BROWSER})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert 'href="/"' in r.text and "data-i18n" in r.text
    assert r.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "application/json, text/plain, */*"])
def test_an_api_client_gets_the_json_error(memory_api: Api, accept: str | None) -> None:
    r = memory_api.client.get("/no/such/page", headers={"accept": accept} if accept else {})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/products/prd_missing", "/api/shows/shw_missing"])
def test_paths_under_api_answer_json_even_to_a_browser(memory_api: Api, path: str) -> None:
    r = memory_api.client.get(path, headers={"accept": BROWSER})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"]["code"]
