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


@pytest.mark.parametrize("path", ["/watch/shw_nope", "/host/shw_nope", "/stores/sto_nope/screen",
                                  "/stores/sto_nope/labels", "/stores/sto_nope/stats"])
def test_the_page_of_a_show_or_store_that_does_not_exist_answers_404(memory_api: Api, path: str) -> None:
    """The page itself says the show or the store does not exist, with a link home; its status says so too (0.9.0's
    first cut answered 200), for a crawler or a link checker."""
    r = memory_api.client.get(path, headers={"accept": BROWSER})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_the_page_of_a_show_or_store_that_exists_answers_200(memory_api: Api) -> None:
    seller, host = memory_api.user("seller"), memory_api.user("host")
    product = memory_api.product(seller, stock=1, sizes=("M",))
    show = memory_api.live_show(host, [product["id"]])
    store = memory_api.client.post("/api/stores", json={"name": "A store"}, headers=seller["headers"]).json()
    for path in (f"/watch/{show['id']}", f"/host/{show['id']}", f"/stores/{store['id']}/screen",
                 f"/stores/{store['id']}/labels", f"/stores/{store['id']}/stats"):
        r = memory_api.client.get(path, headers={"accept": BROWSER})
        assert r.status_code == 200, path
