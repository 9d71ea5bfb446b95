"""The command-line sample's inputs: files, folders and IDX files as model-ready batches, in order.

``image_stream`` reads lazily; with a static RGB input (the static classifier) image files are
decoded and resized ahead by ``helpers.images.prefetch``, the pipeline of appendix A4.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from helpers import images, pipeline


def model_pixels(pixels: np.ndarray, channels: int) -> np.ndarray:
    """Shape one image as the PPP input wants it: u8 [1, H, W, C]; RGB becomes gray for 1-channel models."""
    if channels == 1 and pixels.ndim == 3:
        pixels = np.asarray(Image.fromarray(pixels).convert("L"))  # ITU-R 601 luma, as PIL does
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    return np.ascontiguousarray(pixels[None])


Item = images.LoadedImage | images.ImageReadError


def _kind(item: Path | images.ImageReadError) -> str:
    """``file``: an image file, decoded ahead; ``here``: an IDX file or an error, read in this thread."""
    return "here" if isinstance(item, images.ImageReadError) or images.is_idx_file(item) else "file"


def _read_here(item: Path | images.ImageReadError, channels: int, size: int | None) -> Iterator[Item]:
    """One input read in this thread: an error as it is, every image of a file or IDX file."""
    if isinstance(item, images.ImageReadError):
        yield item
        return
    good, bad = images.load_images([item], keep_gray=channels == 1)
    yield from bad
    for img in good:
        pixels = (
            model_pixels(img.pixels, channels) if size is None else images.resize_for_model(img.pixels, size)
        )
        yield images.LoadedImage(img.name, pixels)


def image_stream(inputs: Iterable[str], channels: int, size: int | None = None) -> Iterator[Item]:
    """Read the inputs lazily and in order; bad files come as ``ImageReadError``.

    Without ``size`` one file at a time, in this thread. With ``size`` (a static RGB input) image
    files are decoded and resized ahead by ``images.prefetch`` (one thread per core, a bounded
    number of batches ahead), the pipeline of appendix A4; IDX files are read here.
    """
    if size is None:
        for item in images.expand_inputs(inputs):
            yield from _read_here(item, channels, None)
        return
    workers = pipeline.default_workers()
    for kind, group in itertools.groupby(images.expand_inputs(inputs), key=_kind):
        if kind == "here":
            for item in group:
                yield from _read_here(item, channels, size)
            continue
        names: deque[str] = deque()  # the names as given (prefetch's are repository-relative)
        paths_in_order = (names.append(str(p)) or p for p in group)
        for _, batch in images.prefetch(paths_in_order, size, workers, 4 * workers):
            given = names.popleft()
            yield batch if isinstance(batch, images.ImageReadError) else images.LoadedImage(given, batch)
