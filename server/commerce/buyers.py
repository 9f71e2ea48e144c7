"""Who a buyer is, for the limits that count per buyer (a show's buyer limit, a voucher's uses per buyer):
an email as its mailbox sees it. `lea+1@example.com` and `lea+2@example.com` reach the same mailbox, and so do
`l.e.a@gmail.com` and `lea@googlemail.com`: 0.6.4 counted each as a new buyer (issue 16). The order keeps
the email as it was typed; only the counting uses this."""

from __future__ import annotations

DOT_BLIND = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}  # domains that ignore dots, and their name


def same_buyer(email: str) -> str:
    """The mailbox an email reaches: lower case, without a `+tag`, and without dots where the domain ignores
    them."""
    local, at, domain = email.strip().lower().rpartition("@")
    if not at:
        return email.strip().lower()
    local = local.split("+", 1)[0] or local
    if domain in DOT_BLIND:
        local, domain = local.replace(".", "") or local, DOT_BLIND[domain]
    return f"{local}@{domain}"
