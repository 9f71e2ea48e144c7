"""The mail backends' one contract (server/infra/mail.py), run against each: today the outbox; issue 22's SMTP
backend joins the list with a way to read back what it delivered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from server.infra.mail import Mailer, MailUnavailable, OutboxMailer, compose
from tests.support.mail import outbox

MailBackend = tuple[Mailer, Callable[[], list[EmailMessage]]]


@pytest.fixture(params=["outbox"])
def mail_backend(request: pytest.FixtureRequest, tmp_path: Path) -> MailBackend:
    folder = tmp_path / "outbox"
    return OutboxMailer(folder), lambda: outbox(folder)


@pytest.mark.anyio
async def test_a_mail_arrives_whole_with_its_headers(mail_backend: MailBackend) -> None:
    mailer, delivered = mail_backend
    text = "Bonjour Léa,\n\nChoisissez votre mot de passe : https://shop.example/studio#/invitation/abc\n"
    await mailer.send(compose(sender="Vitrine <no-reply@shop.example>", to="lea@example.com",
                              subject="Vous êtes invitée sur Vitrine", text=text, lang="fr"))
    await mailer.send(compose(sender="Vitrine <no-reply@shop.example>", to="sam@example.com", subject="Second",
                              text="Hello"))
    first, second = delivered()
    assert first["From"] == "Vitrine <no-reply@shop.example>" and first["To"] == "lea@example.com"
    assert first["Subject"] == "Vous êtes invitée sur Vitrine" and first["Content-Language"] == "fr"
    assert first["Message-ID"].endswith("@shop.example>") and first["Date"]
    body = first.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content() == text
    assert second["To"] == "sam@example.com"


@pytest.mark.anyio
async def test_a_mail_that_cannot_go_is_a_503_code_not_a_crash(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(MailUnavailable) as refused:
        await OutboxMailer(blocked).send(compose(sender="a@example.com", to="b@example.com", subject="s", text="t"))
    assert refused.value.status == 503 and refused.value.code == "mail_unavailable"
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == [blocked]  # no partial file left
