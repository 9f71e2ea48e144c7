"""QR codes in tests, read by a real reader (zbar's zbarimg): the SVG the server draws (qrcode's one path of
module squares) made into a PNG without an SVG renderer on the machine, and a code as a page draws it."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page

ZBARIMG = "/usr/bin/zbarimg"

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


def read_code(code: Locator, path: Path) -> str:
    """What a real QR reader (zbar) reads on a code as the page draws it (a screenshot of the element)."""
    code.screenshot(path=path, animations="disabled")
    result = subprocess.run([ZBARIMG, "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"zbarimg read no code in {path}: {result.stderr}"
    return result.stdout.strip()


def wait_for_screen_code(page: Page, needle: str) -> None:
    """Until the store screen's code is the one for `needle` (in its query: a product's or a game's id; "": the
    bare code of the show) and has loaded."""
    page.wait_for_function(
        """needle => {
          const img = document.querySelector('[data-testid=screen-qr]');
          const src = img && img.getAttribute('src') || '';
          const right = needle ? src.includes(needle) : src.endsWith('/screen-qr.svg');
          return right && img.complete && img.naturalWidth > 0;
        }""", arg=needle)
