"""The draw anyone can check (README's "Giveaway draws anyone can check").

At the start the server picks a secret seed, 32 random bytes written as 64 lowercase hex characters, and
publishes `commitment = SHA-256(seed)`. At the end every entry is ranked by HMAC-SHA256 keyed with the seed,
over its entry id; the smallest digests win. The seed is used as TEXT everywhere: its 64 hex characters,
encoded in ASCII, are both what SHA-256 hashes and the HMAC's key (never `bytes.fromhex(seed)`), and the entry
id is the message, in ASCII. Digests are compared as lowercase hex strings, ascending. A browser does the same
with `crypto.subtle` over `new TextEncoder().encode(seed)`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

ALGORITHM = ("commitment = SHA-256(seed); entries are ranked by HMAC-SHA256(key=seed, msg=entry_id), the seed's "
             "64 hex characters and the entry id both taken as ASCII text, digests compared as lowercase hex "
             "strings, ascending; the first `winners` entries win, and an unclaimed prize passes to the next one")


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def score(seed: str, entry_id: str) -> str:
    return hmac.new(seed.encode("ascii"), entry_id.encode("ascii"), hashlib.sha256).hexdigest()


def ranking(seed: str, entry_ids: Iterable[str]) -> list[str]:
    """Every entry, best first (ties, which SHA-256 makes unheard of, broken by entry id)."""
    return sorted(entry_ids, key=lambda entry_id: (score(seed, entry_id), entry_id))
