"""QR links and images. A store item's link is `PUBLIC_BASE_URL/q/<token>`: 10 random characters
(its code) and 10 characters of HMAC over them, 20 in all, so the link stays short enough for a small
code at error-correction level M and can be neither forged nor enumerated."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathFillImage

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
CODE_LEN = 10  # 50 random bits
MAC_LEN = 10  # 50 bits of HMAC-SHA256


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))


def _mac(code: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), b"vitrine.qr:" + code.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(MAC_LEN))


def token_for(code: str, secret: str) -> str:
    return code + _mac(code, secret)


def code_from(token: str, secret: str) -> str | None:
    """The item code in a genuine token; None for anything forged, altered or malformed."""
    token = token.lower()
    if len(token) != CODE_LEN + MAC_LEN or any(ch not in ALPHABET for ch in token):
        return None
    code, mac = token[:CODE_LEN], token[CODE_LEN:]
    return code if hmac.compare_digest(mac, _mac(code, secret)) else None


def _qr(url: str, box_size: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def png(url: str, *, box_size: int = 10) -> bytes:
    buffer = io.BytesIO()
    _qr(url, box_size).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def svg(url: str) -> bytes:
    buffer = io.BytesIO()
    _qr(url, 10).make_image(image_factory=SvgPathFillImage).save(buffer)
    return buffer.getvalue()


def version(url: str) -> int:
    """The QR version (size) the link needs at level M: 1 is 21x21 modules, each step adds 4."""
    return int(_qr(url, 1).version)
