"""Mail: a message built with the standard library's `email` package, handed to one backend.

A backend is a `Mailer`; `create_mailer` picks it from the settings. Today there is one, the outbox: each
message is written as an .eml file to OUTBOX_DIR (./var/outbox/ by default), where a developer (or a test) reads
it. Issue 22 adds SMTP (SMTP_URL) beside it as a second `Mailer`; tests/infra/test_mail.py is the contract
suite every backend runs. A message's body may carry a secret link: no backend logs it."""

from __future__ import annotations

import asyncio
import logging
import os
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from server.errors import DomainError
from server.infra.ids import new_id, utcnow

log = logging.getLogger("vitrine.mail")


class MailUnavailable(DomainError):
    status = 503
    code = "mail_unavailable"


def compose(*, sender: str, to: str, subject: str, text: str, lang: str = "en") -> EmailMessage:
    """A plain-text message (UTF-8) with the headers a mail server expects."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or "localhost")
    message.set_content(text)
    message["Content-Language"] = lang  # after set_content, which replaces the Content-* headers
    return message


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver the message, or raise MailUnavailable."""


class OutboxMailer:
    """Writes each message to `folder` as `<UTC time>-<id>.eml` (written whole, then renamed into place, so
    that a reader never sees half a file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        name = f"{utcnow().strftime('%Y%m%dT%H%M%S.%f')}-{new_id('mail')}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.part"
            partial.write_bytes(message.as_bytes())
            os.replace(partial, self.folder / name)
        except OSError as exc:
            log.error("the outbox %s cannot take a mail: %s", self.folder, exc.strerror)
            raise MailUnavailable("mail cannot be sent right now: try again shortly") from None
        log.info("mail written to the outbox: %s", name)


def create_mailer(*, outbox_dir: Path) -> Mailer:
    """The settings' backend: the outbox (SMTP_URL comes with issue 22)."""
    return OutboxMailer(outbox_dir)
