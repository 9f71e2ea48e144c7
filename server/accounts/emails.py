"""An account's email address: one check for the accounts an operator creates and for the sign-ins that use them."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from server.errors import InvalidInput

PUBLIC_STAND_IN = "example.com"  # an internal domain is checked as if it were this public one


def account_email(value: str, *, internal_domains: tuple[str, ...] = ()) -> str:
    """The address as it is stored and signed in with, lowercased; email-validator's syntax rules, no DNS look-up.
    Reserved names that public mail cannot reach (`.test`, `.local`, `.internal`…) are refused, except at the
    operator's internal domains (INTERNAL_EMAIL_DOMAINS) and their subdomains."""
    value = value.strip()
    local, _, domain = value.rpartition("@")
    domain = domain.lower().rstrip(".")
    internal = next((d for d in internal_domains if domain == d or domain.endswith("." + d)), None)
    checked = value if internal is None else f"{local}@{domain[:-len(internal)]}{PUBLIC_STAND_IN}"
    try:
        normalized = validate_email(checked, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        reserved = "special-use" in str(exc)
        hint = " (an operator lets internal domains in with INTERNAL_EMAIL_DOMAINS)" if reserved else ""
        raise InvalidInput(f"{value!r} is not an email address an account can use: {exc}{hint}",
                           code="invalid_email") from None
    if internal is not None:
        normalized = f"{normalized.rpartition('@')[0]}@{domain}"
    return normalized.lower()
