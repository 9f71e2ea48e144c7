"""POST /api/media and /media/<name>: what a seller uploads is decoded, turned upright, stripped of its metadata,
scaled down and encoded again; what is not an image, or too large, is refused with nothing stored."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.support.api import Api, make_api
from tests.support.api import test_settings as settings_for

MAX_BYTES = 256 * 1024


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def api(pg_url: str, redis_url: str, media_dir: Path) -> Iterator[Api]:
    yield from make_api(settings_for(database_url=pg_url, redis_url=redis_url, media_dir=media_dir,
                                      media_max_bytes=MAX_BYTES))


def image_bytes(fmt: str, *, size: tuple[int, int] = (64, 32), mode: str = "RGB", **save: Any) -> bytes:
    image = Image.new(mode, size, (200, 30, 30, 128)[: len(mode)] if mode != "1" else 0)  # RGBA: see-through
    if mode == "RGB":
        image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1]))  # left half blue: shows which way is up
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def upload(api: Api, who: dict[str, Any] | None, data: bytes, name: str = "photo.jpg",
           content_type: str = "image/jpeg") -> Any:
    headers = who["headers"] if who else {}
    return api.client.post("/api/media", files={"file": (name, data, content_type)}, headers=headers)


def stored(media_dir: Path) -> list[str]:
    return sorted(p.name for p in media_dir.iterdir()) if media_dir.exists() else []


def test_a_jpeg_and_a_png_are_stored_and_served_with_their_type(api: Api, media_dir: Path) -> None:
    seller = api.user("seller")
    r = upload(api, seller, image_bytes("JPEG"))
    assert r.status_code == 201, r.text
    photo = r.json()
    assert photo["url"].startswith("/media/") and photo["url"].endswith(".jpg")
    assert (photo["width"], photo["height"], photo["content_type"]) == (64, 32, "image/jpeg")
    served = api.client.get(photo["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in served.headers["cache-control"]
    assert len(served.content) == photo["bytes"] and Image.open(io.BytesIO(served.content)).format == "JPEG"

    r = upload(api, seller, image_bytes("PNG", mode="RGBA"), "logo.png", "image/png")  # transparency: PNG
    assert r.status_code == 201 and r.json()["content_type"] == "image/png" and r.json()["url"].endswith(".png")
    served = api.client.get(r.json()["url"])
    assert served.headers["content-type"] == "image/png" and Image.open(io.BytesIO(served.content)).mode == "RGBA"
    assert len(stored(media_dir)) == 2
    again = upload(api, seller, image_bytes("JPEG"))  # the same bytes: the same name, one file
    assert again.json()["url"] == photo["url"] and len(stored(media_dir)) == 2


def test_a_phone_photo_loses_its_location_and_stands_upright(api: Api) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; shown rotated 90° clockwise
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    data = image_bytes("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the upload does carry a location
    r = upload(api, api.user("seller"), data)
    assert r.status_code == 201, r.text
    assert (r.json()["width"], r.json()["height"]) == (32, 64)  # upright: the sides swapped
    served = api.client.get(r.json()["url"]).content
    kept = Image.open(io.BytesIO(served))
    assert not kept.getexif() and "exif" not in kept.info and b"Exif" not in served and b"PhoneMaker" not in served
    top = kept.convert("RGB").getpixel((16, 2))
    assert isinstance(top, tuple) and top[2] > 150  # the blue half (the left) is on top once turned clockwise


def test_a_large_photo_is_scaled_down(api: Api) -> None:
    data = image_bytes("PNG", size=(3000, 1500))  # one colour each half: a small file
    r = upload(api, api.user("admin"), data, "wide.png", "image/png")
    assert r.status_code == 201, r.text
    assert (r.json()["width"], r.json()["height"], r.json()["content_type"]) == (2048, 1024, "image/jpeg")


@pytest.mark.parametrize(("data", "code"), [
    (b"Dear customer,\nthis is not a photo.\n" * 10, "media_not_image"),
    (image_bytes("JPEG")[:200], "media_not_image"),  # a photo cut short
    (image_bytes("BMP"), "media_type_not_allowed"),
    (image_bytes("TIFF"), "media_type_not_allowed"),
])
def test_what_is_not_an_image_we_take_is_refused_and_not_stored(api: Api, media_dir: Path, data: bytes,
                                                               code: str) -> None:
    seller = api.user("seller")
    upload(api, seller, image_bytes("JPEG", size=(10, 10)))
    before = stored(media_dir)
    r = upload(api, seller, data, "photo.jpg", "image/jpeg")
    assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    assert stored(media_dir) == before


def test_too_large_a_file_or_too_many_pixels_is_refused_and_not_stored(api: Api, media_dir: Path) -> None:
    seller = api.user("seller")
    noisy = Image.effect_noise((400, 400), 100).convert("RGB")  # noise does not compress
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > MAX_BYTES
    r = upload(api, seller, out.getvalue(), "big.png", "image/png")
    assert r.status_code == 422 and r.json()["error"]["code"] == "media_too_large", r.text
    r = upload(api, seller, b"\xff" * (MAX_BYTES + 200 * 1024))  # refused before it is all read
    assert r.status_code == 422 and r.json()["error"]["code"] == "media_too_large", r.text
    bomb = image_bytes("PNG", size=(8000, 6000), mode="1")  # 48 megapixels in a few kilobytes
    assert len(bomb) < MAX_BYTES
    r = upload(api, seller, bomb, "bomb.png", "image/png")
    assert r.status_code == 422 and r.json()["error"]["code"] == "media_too_large", r.text
    assert stored(media_dir) == []


def test_who_may_upload(api: Api, media_dir: Path) -> None:
    data = image_bytes("JPEG")
    r = upload(api, None, data)
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth_required"
    r = upload(api, api.user("host"), data)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert stored(media_dir) == []
    assert upload(api, api.user("seller"), data).status_code == 201
    assert upload(api, api.user("admin"), data).status_code == 201


def test_a_form_without_the_file_is_refused(api: Api) -> None:
    seller = api.user("seller")
    r = api.client.post("/api/media", data={"note": "hello"}, files={"other": ("a.jpg", b"x", "image/jpeg")},
                        headers=seller["headers"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "media_missing"
    r = api.client.post("/api/media", json={"file": "x"}, headers=seller["headers"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "media_not_multipart"


@pytest.mark.parametrize("name", ["nothing.jpg", "../media/x.jpg", "0123456789abcdef0123456789abcdef.gif",
                                  "0123456789abcdef0123456789abcdef.jpg"])
def test_a_name_that_is_not_ours_is_not_found(api: Api, media_dir: Path, name: str) -> None:
    media_dir.mkdir(parents=True)
    (media_dir / "nothing.jpg").write_bytes(b"planted")
    assert api.client.get(f"/media/{name}").status_code == 404


def test_a_product_takes_an_uploaded_image(api: Api) -> None:
    seller = api.user("seller")
    url = upload(api, seller, image_bytes("JPEG")).json()["url"]
    product = api.product(seller)
    r = api.client.patch(f"/api/products/{product['id']}", json={"images": [url]}, headers=seller["headers"])
    assert r.status_code == 200 and r.json()["images"] == [url]

