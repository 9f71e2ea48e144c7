"""Mail that the outbox backend wrote (server/infra/mail.py), read back with the standard library's parser."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from tests.support.api import until


def outbox(folder: Path) -> list[EmailMessage]:
    """Every mail in the folder, oldest first."""
    if not folder.is_dir():
        return []
    return [BytesParser(policy=policy.default).parsebytes(path.read_bytes())  # type: ignore[misc]
            for path in sorted(folder.glob("*.eml"))]


def mail_to(folder: Path, address: str, *, count: int = 1) -> EmailMessage:
    """The newest mail to `address`, once `count` of them are there."""
    until(lambda: len([m for m in outbox(folder) if m["To"] == address]) >= count, f"no mail to {address}")
    return [m for m in outbox(folder) if m["To"] == address][-1]


def link_in(message: EmailMessage) -> str:
    """The studio link a mail carries."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/studio#/\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def token_in(message: EmailMessage) -> str:
    return link_in(message).rsplit("/", 1)[1]
