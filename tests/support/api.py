"""The app in-process: its settings for tests, the TestClient with the helpers the tests share, calls run
together."""

from __future__ import annotations

import functools
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from starlette.testclient import TestClient

from server.app import create_app
from server.services import Services
from server.settings import Settings


def test_settings(**overrides: Any) -> Settings:
    base = Settings(env="development", secret_key="test-secret-" + secrets.token_hex(16), tick_ms=50,
                    allowed_origins=("http://testserver", "http://127.0.0.1:8000"),
                    outbox_dir=Path(tempfile.gettempdir()) / f"vitrine-outbox-{secrets.token_hex(6)}")
    return replace(base, **overrides)


T = TypeVar("T")


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls together, each on its own thread, released at the same moment; their results in order."""
    results: list[Any] = [None] * len(calls)
    together = threading.Barrier(len(calls))

    def run(i: int) -> None:
        together.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@dataclass
class Api:
    """A TestClient with the helpers the tests share."""

    client: TestClient
    services: Services
    sellers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def call(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run a coroutine function on the app's event loop."""
        assert self.client.portal is not None
        return self.client.portal.call(functools.partial(fn, **kwargs))

    def user(self, role: str, *, password: str = "correct horse battery") -> dict[str, Any]:
        email = f"{role}-{secrets.token_hex(5)}@example.com"
        user = self.call(self.services.auth.create_user, email=email, password=password, role=role, name=role.title())
        token = self.services.auth.issue(user)
        return {"id": user.id, "email": email, "password": password, "token": token,
                "headers": {"authorization": f"Bearer {token}"}}

    def product(self, seller: dict[str, Any], *, stock: int = 10,
                sizes: tuple[str, ...] = ("S", "M")) -> dict[str, Any]:
        body = {"title": "Linen shirt", "brand": "Atelier", "price": {"amount": 4900, "currency": "EUR"},
                "variants": [{"sku": f"SKU-{s}", "label": s, "stock": stock} for s in sizes]}
        r = self.client.post("/api/products", json=body, headers=seller["headers"])
        assert r.status_code == 201, r.text
        self.sellers[seller["id"]] = seller
        return r.json()  # type: ignore[no-any-return]

    def grant(self, seller: dict[str, Any], host: dict[str, Any]) -> None:
        r = self.client.post("/api/sellers/me/hosts", json={"host_id": host["id"]}, headers=seller["headers"])
        assert r.status_code == 200, r.text

    def live_show(self, host: dict[str, Any], product_ids: list[str], *, start: bool = True,
                  grant: bool = True, **fields: Any) -> dict[str, Any]:
        """A show of these products; by default every seller the helper has seen lets this host sell."""
        if grant:
            for seller in self.sellers.values():
                self.grant(seller, host)
        r = self.client.post("/api/shows", json={"title": "Friday drop", "product_ids": product_ids, **fields},
                             headers=host["headers"])
        assert r.status_code == 201, r.text
        show = r.json()
        if start:
            assert self.client.post(f"/api/shows/{show['id']}/start", headers=host["headers"]).status_code == 200
        return show  # type: ignore[no-any-return]


def open_shop(api: Api, *, stock: int, buyer_limit: int) -> dict[str, Any]:
    """A seller's product in sizes S and M, `stock` of each, in a live show that lets a buyer take `buyer_limit`."""
    seller, host = api.user("seller"), api.user("host")
    product = api.product(seller, stock=stock, sizes=("S", "M"))
    show = api.live_show(host, [product["id"]], buyer_limit=buyer_limit)
    return {"seller": seller, "host": host, "product": product, "show": show, "variant": product["variants"][0]}


def make_api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    # an address of its own: the per-address sign-in limit, kept in the shared Redis, is this test's alone
    address = "10." + ".".join(str(b) for b in secrets.token_bytes(3))
    with TestClient(app, client=(address, 50000)) as client:
        yield Api(client=client, services=app.state.services)


def until(condition: Callable[[], bool], message: str, seconds: float = 3.0) -> None:
    """Waits for `condition` (what another node learns through Redis), failing with `message` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)
