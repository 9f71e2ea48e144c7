"""Uploaded images (a product's photos): decoded with Pillow, turned upright, stripped of every metadata (a
phone's photo carries where it was taken), scaled down, encoded again, and kept under a name made of the hash
of their bytes. What is stored was made here: never the bytes a client sent."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from server.accounts.auth import Principal
from server.errors import InvalidInput

ACCEPTED = ("JPEG", "PNG", "WEBP", "GIF")  # a GIF keeps its first frame
MAX_SIDE = 2048  # pixels on the long side, at most
JPEG_QUALITY = 85
TYPES = {"jpg": "image/jpeg", "png": "image/png"}
NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png)")
# images of a kind we do not take, told apart from bytes that are no image at all
OTHER_KINDS = ((b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"\x00\x00\x01\x00", "ICO"))
ISO_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF", b"avif": "AVIF"}


@dataclass(frozen=True)
class Encoded:
    data: bytes
    extension: str
    width: int
    height: int


def _refused_kind(data: bytes) -> str | None:
    if data[4:8] == b"ftyp":
        return ISO_BRANDS.get(data[8:12])
    return next((kind for magic, kind in OTHER_KINDS if data.startswith(magic)), None)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as a browser shows them without a profile (a phone's wide-gamut photo), the profile dropped."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        converted = ImageCms.profileToProfile(image, io.BytesIO(profile), ImageCms.createProfile("sRGB"),
                                              outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def encode(data: bytes, *, max_pixels: int) -> Encoded:
    """The image in `data` as we keep it: JPEG (quality 85) when it has no transparency, PNG otherwise."""
    too_large = InvalidInput(f"the image is larger than {max_pixels} pixels", code="media_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED)
            if image.width * image.height > max_pixels:
                raise too_large
            image.load()
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        kind = _refused_kind(data)
        if kind:
            raise InvalidInput(f"a {kind} image is not taken: send a JPEG, PNG, WebP or GIF",
                               code="media_type_not_allowed") from None
        raise InvalidInput("the file is not an image (JPEG, PNG, WebP or GIF)", code="media_not_image") from None
    upright = ImageOps.exif_transpose(image) or image
    alpha = upright.mode in ("RGBA", "LA", "PA", "La") or "transparency" in upright.info
    picture = upright.convert("RGBA" if alpha else "RGB")
    if alpha and picture.getchannel("A").getextrema() == (255, 255):  # transparency that hides nothing
        picture, alpha = picture.convert("RGB"), False
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    picture = _to_srgb(picture)
    clean = Image.new(picture.mode, picture.size)  # pixels only: no EXIF, XMP, profile or comment carried over
    clean.paste(picture)
    out = io.BytesIO()
    if alpha:
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Encoded(out.getvalue(), "png" if alpha else "jpg", clean.width, clean.height)


class Media:
    def __init__(self, *, directory: Path, max_bytes: int, max_pixels: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels

    async def upload(self, *, principal: Principal, data: bytes) -> dict[str, Any]:
        """Keep an image a seller (or an admin) sent; its address under /media/ and what it became."""
        principal.require("seller")
        if len(data) > self.max_bytes:
            raise InvalidInput(f"the image is larger than {self.max_bytes} bytes", code="media_too_large")
        if not data:
            raise InvalidInput("the file is empty", code="media_not_image")
        encoded = await asyncio.to_thread(encode, data, max_pixels=self.max_pixels)
        name = f"{hashlib.sha256(encoded.data).hexdigest()[:32]}.{encoded.extension}"
        await asyncio.to_thread(self._write, name, encoded.data)
        return {"url": f"/media/{name}", "width": encoded.width, "height": encoded.height,
                "content_type": TYPES[encoded.extension], "bytes": len(encoded.data)}

    def _write(self, name: str, data: bytes) -> None:
        """Whole or not at all: a reader (another node on the shared volume) never sees half a file."""
        target = self.directory / name
        if target.is_file():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def path(self, *, name: str) -> tuple[Path, str] | None:
        """The file of a name we gave and its content type; None for any other name, or one not stored."""
        match = NAME.fullmatch(name)
        if match is None:
            return None
        path = self.directory / name
        return (path, TYPES[match.group(1)]) if path.is_file() else None
