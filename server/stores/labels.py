"""The printable label sheet of a store: A4, 3 x 7 labels a page, each with the brand, the product's name on up to
two lines, its size, its price, its code and what to do with it, in the sheet page's language. Made with reportlab;
the codes are the same PNGs as the API serves."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

from server.stores import qr

COLUMNS, ROWS = 3, 7
LABEL_W, LABEL_H = 70 * mm, 42.3 * mm  # the common A4 sheet of 21 labels (70 x 42.3 mm, no side margins)
# the label page's words (static/i18n.js: store.labels.scan, store.labels.size), in its languages
WORDS = {"en": {"scan": "Scan to buy", "size": "Size {size}"},
         "fr": {"scan": "Scannez pour acheter", "size": "Taille {size}"}}
LANGUAGES = tuple(WORDS)


@dataclass(frozen=True, slots=True)
class Label:
    title: str
    brand: str
    price: str
    size: str | None
    url: str


def price_text(amount: int, currency: str, lang: str = "en") -> str:
    """A price as the label page writes it (Intl.NumberFormat): €189.00 in English, 189,00 € in French."""
    symbol = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}.get(currency, currency)
    whole, cents = divmod(amount, 100)
    if lang == "fr":
        return f"{whole:,}".replace(",", "\u00a0") + f",{cents:02d}\u00a0{symbol}"  # Helvetica has no U+202F
    space = "" if len(symbol) == 1 else "\u00a0"  # €189.00, but CHF 189.00
    return f"{symbol}{space}{whole:,}.{cents:02d}"


def _fit(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> str:
    while text and pdf.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def _wrap(pdf: canvas.Canvas, text: str, font: str, size: float, width: float, *, most: int) -> list[str]:
    """The text in lines of `width`, at most `most` of them; past them, the last line ends after the last whole word
    that fits with an ellipsis. A word wider than a line is cut with one too."""
    lines = simpleSplit(text, font, size, width) or [""]
    if len(lines) > most:
        rest = " ".join(lines[most - 1:]).split()
        last = rest[0]
        for word in rest[1:]:
            if pdf.stringWidth(f"{last} {word}…", font, size) > width:
                break
            last = f"{last} {word}"
        lines = [*lines[:most - 1], last + "…"]
    return [_fit(pdf, line, font, size, width) for line in lines]


def sheet(store_name: str, labels: list[Label], lang: str = "en") -> bytes:
    words = WORDS[lang]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{store_name}: labels")
    page_w, page_h = A4
    cell_w, cell_h = LABEL_W, LABEL_H
    margin_x, margin_y = (page_w - COLUMNS * cell_w) / 2, (page_h - ROWS * cell_h) / 2
    per_page = COLUMNS * ROWS
    for index, label in enumerate(labels):
        if index and index % per_page == 0:
            pdf.showPage()
        slot = index % per_page
        x = margin_x + (slot % COLUMNS) * cell_w
        y = page_h - margin_y - (slot // COLUMNS + 1) * cell_h
        pdf.setStrokeGray(0.8)
        pdf.roundRect(x + 1 * mm, y + 1 * mm, cell_w - 2 * mm, cell_h - 2 * mm, 2 * mm)
        code = cell_h - 6 * mm
        pdf.drawImage(ImageReader(io.BytesIO(qr.png(label.url, box_size=6))), x + 3 * mm, y + 3 * mm,
                      width=code, height=code)
        text_x = x + code + 5 * mm
        text_w = cell_w - code - 8 * mm
        pdf.setFillGray(0.45)
        pdf.setFont("Helvetica", 7)
        pdf.drawString(text_x, y + cell_h - 9 * mm, _fit(pdf, label.brand.upper(), "Helvetica", 7, text_w))
        pdf.setFillGray(0)
        pdf.setFont("Helvetica-Bold", 9)
        lines = _wrap(pdf, label.title, "Helvetica-Bold", 9, text_w, most=2)  # two lines, as the sheet's page shows
        for n, line in enumerate(lines):
            pdf.drawString(text_x, y + cell_h - (14 + 4 * n) * mm, line)
        if label.size:
            pdf.setFont("Helvetica", 8)
            size = _fit(pdf, words["size"].format(size=label.size), "Helvetica", 8, text_w)
            pdf.drawString(text_x, y + cell_h - (15 + 4 * len(lines)) * mm, size)
        pdf.setFont("Helvetica-Bold", 13)
        pdf.drawString(text_x, y + 8.5 * mm, label.price)
        pdf.setFillGray(0.42)
        pdf.setFont("Helvetica-Bold", 7)
        pdf.drawString(text_x, y + 4.5 * mm, _fit(pdf, words["scan"], "Helvetica-Bold", 7, text_w))
        pdf.setFillGray(0)
    if not labels:
        pdf.setFont("Helvetica", 12)
        pdf.drawString(20 * mm, page_h - 20 * mm, f"{store_name}: no items yet")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
