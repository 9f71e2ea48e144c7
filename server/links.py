"""The public addresses Vitrine hands out (in API bodies, emails, QR codes, printed links), made in one place
from PUBLIC_BASE_URL, and the API paths the pages fetch."""

from __future__ import annotations


class Links:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def home(self) -> str:
        return f"{self.base}/"

    def watch(self, show_id: str) -> str:
        return f"{self.base}/watch/{show_id}"

    def game(self, show_id: str, game_id: str) -> str:
        """A game of the show, opened on a phone: the player, which brings that game's card to the front (the
        marker rides in the fragment: no server or log sees it, and the page itself does not change)."""
        return f"{self.base}/watch/{show_id}#game={game_id}"

    def host(self, show_id: str) -> str:
        return f"{self.base}/host/{show_id}"

    def order(self, order_id: str, token: str) -> str:
        """The buyer's page of an order; `token` is the order's link token."""
        return f"{self.base}/orders/{order_id}?t={token}"

    def studio(self) -> str:
        """Where sellers, hosts and admins sign in and run their shop and their shows."""
        return f"{self.base}/studio"

    def invitation(self, token: str) -> str:
        """An invitation to choose a password: the token rides in the fragment, which no server log sees."""
        return f"{self.base}/studio#/invitation/{token}"

    def reset(self, token: str) -> str:
        """A password-reset link (the token in the fragment, as an invitation's)."""
        return f"{self.base}/studio#/reset/{token}"

    def payment(self, provider: str, ref: str) -> str:
        return f"{self.base}/pay/{provider}/{ref}"

    def scan(self, token: str) -> str:
        """What a store item's QR code encodes."""
        return f"{self.base}/q/{token}"

    def store_page(self, store_id: str, page: str) -> str:
        """A store's screen, labels or stats page."""
        return f"{self.base}/stores/{store_id}/{page}"

    @staticmethod
    def item_qr(store_id: str, item_id: str, kind: str) -> str:
        """The API path of a store item's code as an image (png or svg)."""
        return f"/api/stores/{store_id}/items/{item_id}/qr.{kind}"
