"""Shipping addresses: countries we deliver to, their postal codes, and the delivery promise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

# ISO 3166-1 alpha-2 -> postal code pattern (upper-cased, spaces kept as typed but collapsed)
POSTAL_CODES: dict[str, str] = {
    "FR": r"\d{5}", "MC": r"980\d{2}", "BE": r"\d{4}", "LU": r"(L-)?\d{4}", "CH": r"\d{4}", "DE": r"\d{5}",
    "AT": r"\d{4}", "NL": r"\d{4} ?[A-Z]{2}", "ES": r"\d{5}", "PT": r"\d{4}-\d{3}", "IT": r"\d{5}",
    "IE": r"[A-Z]\d[\dW] ?[A-Z\d]{4}", "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", "DK": r"\d{4}",
    "SE": r"\d{3} ?\d{2}", "FI": r"\d{5}", "NO": r"\d{4}", "PL": r"\d{2}-\d{3}", "CZ": r"\d{3} ?\d{2}",
    "GR": r"\d{3} ?\d{2}", "US": r"\d{5}(-\d{4})?", "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
}

# delivery promise in business days by zone: the same country as the shop, the EU and near, the rest
DOMESTIC = ("FR", "MC")
NEAR = ("BE", "LU", "CH", "DE", "AT", "NL", "ES", "PT", "IT", "IE", "DK", "SE", "FI", "NO", "PL", "CZ", "GR", "GB")


@dataclass(frozen=True, slots=True)
class Promise:
    min_days: int
    max_days: int

    def window(self, start: date) -> tuple[date, date]:
        return _add_business_days(start, self.min_days), _add_business_days(start, self.max_days)


def promise_for(country: str) -> Promise:
    if country in DOMESTIC:
        return Promise(3, 4)
    if country in NEAR:
        return Promise(3, 5)
    return Promise(5, 10)


def normalise_postal_code(country: str, value: str) -> str:
    """Upper-cased, spaces collapsed; raises ValueError with a sentence when it cannot be one."""
    code = " ".join(value.upper().split())
    pattern = POSTAL_CODES.get(country)
    if pattern is None:
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9 -]{1,9}", code):
            raise ValueError("the postal code is not valid")
        return code
    if not re.fullmatch(pattern, code, re.ASCII):  # \d is 0-9 only, not every script's digits
        raise ValueError(f"the postal code is not valid for {country}")
    return code


def supported(country: str) -> bool:
    return country in POSTAL_CODES


def _add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
