"""CSV for spreadsheets: RFC 4180 (comma separated, CRLF line ends, fields quoted when they hold a comma, a quote
or a line break, quotes doubled), with a guard against formula injection: a cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return is read by spreadsheet programs as a formula, so it gets a leading `'` (OWASP's
advice). Text the shop did not write (a buyer's name, an address) is what such a cell would come from."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"  # so that Excel reads the file as UTF-8 (accents and all); csv readers take it with utf-8-sig
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text


def csv_rows(rows: Iterable[Iterable[object]]) -> str:
    """The rows as CSV text, every cell through `safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
