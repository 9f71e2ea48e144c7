"""Secrets never reach a log line. Tokens travel in URLs (a host's access token and a viewer's token in the
show socket's query, an order's link token `?t=`, a giveaway prize's claim token in its path `/claim/<token>`),
and uvicorn logs every socket's path with its query even with the access log off: a filter on the log handlers
masks them in every record, whoever logs it."""

from __future__ import annotations

import logging
import re

SECRET_PARAMS = ("token", "viewer", "t", "access_token")
_SECRET = re.compile(r"([?&](?:" + "|".join(SECRET_PARAMS) + r")=)[^&#\s\"']*")
SECRET_PATHS = ("claim", "api/claims")  # a path segment after these is a token
_SECRET_PATH = re.compile(r"(/(?:" + "|".join(SECRET_PATHS) + r")/)[^/?#\s\"']+")
REDACTED = "[redacted]"
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "vitrine")


def redact(text: str) -> str:
    if "/claim" in text:
        text = _SECRET_PATH.sub(r"\1" + REDACTED, text)
    return _SECRET.sub(r"\1" + REDACTED, text)


def _secret_in(value: str) -> bool:
    return "=" in value or "/claim" in value


class RedactSecrets(logging.Filter):
    """Masks the secret query parameters of URLs in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _secret_in(record.msg):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) and _secret_in(a) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) and _secret_in(v) else v
                           for k, v in record.args.items()}
        return True


_FILTER = RedactSecrets()


def redact_secrets() -> None:
    """Put the filter on the loggers that log requests and on every handler they write to (a logger's own
    filter does not see what its children propagate to it; a handler's does). Safe to call again."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if _FILTER not in target.filters:
                target.addFilter(_FILTER)
