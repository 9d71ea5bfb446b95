"""The issue-8 zoo of good and bad inputs, generated with PIL and numpy (no binaries are committed).

Shared by tests/test_reliability.py (helpers level) and tests/test_reliability_cli.py (CLI level).
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from helpers import paths

LARGE_SIZE = (12000, 9000)  # width, height: 108 MP, a 108 MP phone camera's full resolution
CAT_TOP1 = "Egyptian cat"  # data/images/cat.png, per the model card


@dataclass(frozen=True)
class Case:
    """One input: its path, the issue's name for it, and the reason its message must hold (None: good)."""

    path: Path
    note: str
    reason: str | None = None

    @property
    def good(self) -> bool:
        """True for an input that must be read and classified."""
        return self.reason is None


def fs_name(raw: bytes) -> str:
    """A file name from raw bytes, as Python sees it (undecodable bytes become surrogates)."""
    return os.fsdecode(raw)


def _stripes(h: int, w: int) -> np.ndarray:
    """An RGB test picture: red left half, blue right half."""
    arr = np.zeros((h, w, 3), np.uint8)
    arr[:, : w // 2] = (255, 0, 0)
    arr[:, w // 2 :] = (0, 0, 255)
    return arr


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims ``width`` x ``height`` but holds no pixel data (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


def write_large_jpeg(path: Path, size: tuple[int, int] = LARGE_SIZE) -> Path:
    """A real baseline JPEG of ``size`` (a smooth gradient, so it stays small on disk)."""
    w, h = size
    ramp = np.linspace(0, 255, w).astype(np.uint8)
    row = np.stack([ramp, ramp[::-1], np.full(w, 128, np.uint8)], axis=-1)
    Image.fromarray(np.ascontiguousarray(np.broadcast_to(row, (h, w, 3)))).save(path, quality=60)
    return path


def make_zoo(root: Path, *, large: bool = True) -> list[Case]:
    """Write every case of issue 8 under ``root``; return them in the order a run reports them.

    ``root/zoo`` holds the files (read in name order when the folder is given); ``root/missing.jpg``
    does not exist and ``root/no-images`` is a folder without images. Pass
    ``[root / "zoo", root / "missing.jpg", root / "no-images"]`` to classify them all in one run.
    """
    zoo = root / "zoo"
    zoo.mkdir(parents=True)
    cases: list[Case] = []

    def good(name: str, note: str) -> Path:
        cases.append(Case(zoo / name, note))
        return zoo / name

    def bad(name: str, note: str, reason: str) -> Path:
        cases.append(Case(zoo / name, note, reason))
        return zoo / name

    shutil.copyfile(paths.IMAGES_DIR / "cat.png", good("01-cat.png", "a sample photo"))
    ramp = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (48, 1))
    Image.fromarray(ramp, "L").save(good("02-gray.png", "grayscale PNG"))
    deep = np.full((32, 48), 65535, np.uint16)
    deep[:16] = 32768
    Image.fromarray(deep).save(good("03-deep.png", "16-bit PNG"))
    Image.fromarray(_stripes(40, 60)).convert("CMYK").save(good("04-cmyk.jpg", "CMYK JPEG"), quality=95)
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:, :16, 3] = 255  # left half opaque red, right half transparent
    Image.fromarray(rgba, "RGBA").save(good("05-rgba.png", "RGBA PNG"))
    Image.fromarray(_stripes(40, 60)).convert("P").save(good("06-palette.gif", "palette GIF"))
    frames = [Image.new("RGB", (30, 20), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(
        good("07-animated.gif", "animated GIF"), save_all=True, append_images=frames[1:], duration=50
    )
    wide = np.zeros((20, 50, 3), np.uint8)
    wide[:5, :5] = (255, 0, 0)  # a red mark in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation 6: rotate 90 degrees clockwise to display
    Image.fromarray(wide).save(good("08-exif-rotated.jpg", "EXIF-rotated JPEG"), exif=exif, quality=95)
    Image.new("RGB", (1, 1), (10, 200, 30)).save(good("09-one-pixel.png", "1x1 image"))
    if large:
        write_large_jpeg(good("10-large.jpg", "very large JPEG (12000x9000)"))
    Image.fromarray(_stripes(24, 24)).save(good(fs_name(b"11-caf\xe9.png"), "non-UTF-8 file name"))

    bad("20-empty.jpg", "empty file", "file is empty").write_bytes(b"")
    full = zoo / "full.tmp"
    Image.fromarray(_stripes(200, 300)).save(full, format="JPEG", quality=90)
    data = full.read_bytes()
    full.unlink()
    bad("21-truncated.jpg", "truncated JPEG", "truncated or corrupt image data").write_bytes(
        data[: len(data) // 2]
    )
    bad("22-text.jpg", "text file named .jpg", "not a recognised image format").write_text(
        "hello, I am a text file\n"
    )
    bad("23-page.png", "HTML page named .png", "not a recognised image format").write_text(
        "<!doctype html><html><head><title>404</title></head><body>Not found</body></html>\n"
    )
    _png_header_only(
        bad("24-huge.png", "PNG claiming 12000x9000", "image is 12000x9000 (108 MP), above the 64 MP limit"),
        *LARGE_SIZE,
    )
    bad(
        fs_name(b"25-bad-\xff.jpg"), "non-UTF-8 file name, not an image", "not a recognised image format"
    ).write_bytes(b"\x00\x01 definitely not a JPEG")
    cases.append(Case(root / "missing.jpg", "missing path", "file not found"))
    (root / "no-images").mkdir()
    (root / "no-images" / "notes.txt").write_text("a folder without images\n")
    cases.append(Case(root / "no-images", "directory with no images", "folder holds no image files"))
    return cases


def zoo_inputs(root: Path) -> list[Path]:
    """The command-line inputs that cover every case of ``make_zoo(root)``."""
    return [root / "zoo", root / "missing.jpg", root / "no-images"]


def printable(name: str | os.PathLike[str]) -> str:
    """How a file name is shown in messages: undecodable bytes escaped, as helpers and the CLI do."""
    return str(name).encode("utf-8", "backslashreplace").decode("utf-8")
