"""Altered copies of the sample photos (mirrored, grey, rotated, small, dark): notebook 05's folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image, ImageOps

from helpers.paths import IMAGES_DIR, cache_dir


def demo_folder() -> Path:
    """Where the demo folder lives (in the git-ignored cache)."""
    return cache_dir() / "explorer-demo"


def write_demo_folder(folder: Path | None = None) -> Path:
    """Write five altered photos (mirrored, grey, rotated, small, dark) and two files that are not images."""
    folder = folder or demo_folder()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)

    def photo(name: str) -> Image.Image:
        with Image.open(IMAGES_DIR / name) as im:
            return im.convert("RGB")

    ImageOps.mirror(photo("cat.png")).save(folder / "cat-mirrored.png")
    photo("coffee.png").convert("L").save(folder / "coffee-grey.png")
    photo("motorcycle.png").rotate(90, expand=True).save(folder / "motorcycle-rotated.png")
    photo("rocket.jpg").resize((96, 64)).save(folder / "rocket-small.png")
    photo("cameraman.png").point(lambda v: v // 3).save(folder / "cameraman-dark.png")
    (folder / "broken.jpg").write_bytes(b"this is not a JPEG")
    (folder / "empty.png").write_bytes(b"")
    return folder
