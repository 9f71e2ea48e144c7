"""QR codes in tests: the SVG the server draws (qrcode's one path of module squares) made into a PNG a real
reader (zbarimg) can read, without an SVG renderer on the machine."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw

_VIEWBOX = re.compile(rb'viewBox="0 0 (\d+) (\d+)"')
_SQUARE = re.compile(rb"M(\d+),(\d+)H(\d+)V(\d+)H\d+z")


def svg_png(svg: bytes, *, scale: int = 8) -> bytes:
    """The code's modules, black on white, `scale` pixels each (the SVG's quiet zone included)."""
    box = _VIEWBOX.search(svg)
    assert box is not None, "not a QR code's SVG"
    width, height = (int(n) for n in box.groups())
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    squares = _SQUARE.findall(svg)
    assert squares, "the SVG draws no module"
    for x0, y0, x1, y1 in squares:
        draw.rectangle((int(x0) * scale, int(y0) * scale, int(x1) * scale - 1, int(y1) * scale - 1), fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
