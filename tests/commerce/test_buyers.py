"""The per-buyer limits count mailboxes, not spellings (issue 16: `same+N@` aliases each took the show's
limit again)."""

from __future__ import annotations

from typing import Any

import pytest

from server.commerce.buyers import same_buyer
from tests.support.api import Api
from tests.support.orders import ADDRESS, code, order_body, place


@pytest.mark.parametrize(("email", "mailbox"), [
    ("Lea@Example.com", "lea@example.com"),
    ("lea+drop1@example.com", "lea@example.com"),
    ("l.e.a+x@gmail.com", "lea@gmail.com"),
    ("lea@googlemail.com", "lea@gmail.com"),
    ("l.e.a@example.com", "l.e.a@example.com"),  # dots matter outside the domains that ignore them
    ("+tag@example.com", "+tag@example.com"),
])
def test_the_mailbox_an_email_reaches(email: str, mailbox: str) -> None:
    assert same_buyer(email) == mailbox


def as_buyer(email: str) -> dict[str, Any]:
    return {"name": "Léa", "email": email, "address": ADDRESS}


def test_aliases_share_the_show_s_buyer_limit(api: Api, shop: dict[str, Any]) -> None:
    """The shop's show lets a buyer take 3 of a product."""
    assert place(api, order_body(shop, quantity=2, buyer=as_buyer("l.e.a+1@gmail.com"))).status_code == 201
    refused = place(api, order_body(shop, quantity=2, buyer=as_buyer("lea+2@googlemail.com")))
    assert refused.status_code == 409 and code(refused) == "buyer_limit"
    assert place(api, order_body(shop, quantity=1, buyer=as_buyer("LEA@gmail.com"))).status_code == 201
    assert code(place(api, order_body(shop, quantity=1, buyer=as_buyer("lea+3@gmail.com")))) == "buyer_limit"
    assert place(api, order_body(shop, quantity=1, buyer=as_buyer("leo@gmail.com"))).status_code == 201


def test_aliases_share_a_voucher_s_uses_per_buyer(api: Api, shop: dict[str, Any]) -> None:
    seller = shop["seller"]["headers"]
    r = api.client.post("/api/vouchers", json={"code": "ONCE10", "kind": "percent", "value": 10, "max_per_buyer": 1},
                        headers=seller)
    assert r.status_code == 201, r.text
    assert place(api, order_body(shop, voucher="ONCE10", buyer=as_buyer("zoe+a@example.com"))).status_code == 201
    again = place(api, order_body(shop, voucher="ONCE10", buyer=as_buyer("Zoe+b@Example.com")))
    assert again.status_code == 409 and code(again) == "voucher_limit"
