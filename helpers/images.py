"""Read images from files, folders and MNIST IDX files as RGB (or single-channel) uint8 arrays."""

from __future__ import annotations

import itertools
import os
import stat
import struct
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from helpers.paths import printable_path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}
IDX_SUFFIXES = {".idx3-ubyte", ".ubyte", ".idx"}
# Bounded decode: JPEGs are decoded at a reduced scale (PIL "draft") so that their longest side
# is at most MAX_SIDE; formats that cannot be reduced while decoding are refused above MAX_PIXELS.
MAX_SIDE = 4096
MAX_PIXELS = 64_000_000
IDX_IMAGE_MAGIC = 2051


class ImageReadError(Exception):
    """An input that cannot be read as an image; ``str()`` is one line naming the file and why."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = path if isinstance(path, str) else printable_path(Path(path))
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class LoadedImage:
    """One decoded image and the name it is reported under (``file`` or ``file[index]``)."""

    name: str
    pixels: np.ndarray


def _ignore_pil_bomb_warning() -> None:
    """Silence PIL's DecompressionBombWarning for the process when not yet silenced (its error still applies).

    ``_to_rgb`` applies the course's own bounds (JPEG draft, MAX_PIXELS), so PIL's warning only
    adds noise for a 108 MP photo that draft decoding reads at a fraction of the memory. A
    ``warnings.catch_warnings()`` block per call is not thread-safe: with ``prefetch`` decoding on
    several threads, one thread leaving the block restored the filters while another was still
    opening a large image, and the warning reached stderr.
    """
    if not any(f[0] == "ignore" and f[2] is Image.DecompressionBombWarning for f in warnings.filters):
        warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one image file as an RGB uint8 HWC array, upright per its EXIF orientation."""
    return _open_and_finish(path, lambda rgb: np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8)))


def _open_and_finish(path: str | os.PathLike[str], finish: Callable[[Image.Image], np.ndarray]) -> np.ndarray:
    """Open, check and decode ``path`` to an RGB PIL image; return ``finish(image)``, or raise ImageReadError.

    ``finish`` runs while the file is still open (closing it frees the decoded image), so that
    ``read_for_model`` can resize the decoded image directly, without an array in between.
    """
    p = Path(path)
    try:
        st = p.stat()  # one call for the three checks; the name is made only for an error
    except (FileNotFoundError, NotADirectoryError):
        raise ImageReadError(printable_path(p), "file not found") from None
    except OSError as exc:
        raise ImageReadError(printable_path(p), exc.strerror or "cannot be read") from None
    if stat.S_ISDIR(st.st_mode):
        raise ImageReadError(printable_path(p), "is a folder, not an image file")
    if st.st_size == 0:
        raise ImageReadError(printable_path(p), "file is empty")
    try:
        _ignore_pil_bomb_warning()
        with Image.open(p) as im:
            return finish(_to_rgb(im, p))
    except ImageReadError:
        raise
    except UnidentifiedImageError:
        raise ImageReadError(printable_path(p), "not a recognised image format") from None
    except Image.DecompressionBombError:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000
        raise ImageReadError(
            printable_path(p), f"image larger than PIL's {limit} MP decompression-bomb limit"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageReadError(printable_path(p), f"truncated or corrupt image data ({exc})") from None


def _to_rgb(im: Image.Image, path: Path) -> Image.Image:
    """Decode an opened PIL image (bounded) to an RGB image, applying EXIF orientation.

    No copy is made that is not needed: an RGB file without an orientation tag comes back as
    ``im`` itself, decoded (a full-size copy costs up to half a millisecond, with the GIL held).
    """
    w, h = im.size
    if im.format == "JPEG" and max(w, h) > MAX_SIDE:
        im.draft("RGB", (max(1, w * MAX_SIDE // max(w, h)), max(1, h * MAX_SIDE // max(w, h))))
    elif w * h > MAX_PIXELS:
        raise ImageReadError(
            printable_path(path),
            f"image is {w}x{h} ({w * h / 1e6:.0f} MP), above the {MAX_PIXELS // 1_000_000} MP limit",
        )
    im.seek(0)  # animated images: first frame
    im.load()
    if max(im.size) > MAX_SIDE:  # shrink before the copies below (draft stops at a power-of-two scale)
        im.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BILINEAR)
    ImageOps.exif_transpose(im, in_place=True)  # ours to change: opened here, never shared
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        scale = 65535.0 if arr.max(initial=0) > 255 or im.mode.startswith("I;16") else 255.0
        arr = np.clip(arr / scale * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(np.ascontiguousarray(np.repeat(arr[..., None], 3, axis=2)))
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        background = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, im)
    rgb = im if im.mode == "RGB" else im.convert("RGB")
    if max(rgb.size) > MAX_SIDE:
        rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BILINEAR)
    return rgb


def is_idx_file(path: str | os.PathLike[str]) -> bool:
    """Tell whether ``path`` starts with the MNIST IDX image magic number (2051)."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return len(head) == 4 and struct.unpack(">i", head)[0] == IDX_IMAGE_MAGIC


def idx_count(path: str | os.PathLike[str]) -> int:
    """Return the image count in an IDX image file's header (0 when it is not one or unreadable)."""
    try:
        with Path(path).open("rb") as f:
            head = f.read(8)
    except OSError:
        return 0
    if len(head) < 8:
        return 0
    magic, count = struct.unpack(">ii", head)
    return count if magic == IDX_IMAGE_MAGIC else 0


def read_idx_images(path: str | os.PathLike[str]) -> np.ndarray:
    """Read every image of an MNIST IDX ubyte file as an (N, rows, cols) uint8 array."""
    p = Path(path)
    name = printable_path(p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ImageReadError(name, exc.strerror or "cannot be opened") from None
    if len(data) < 16:
        raise ImageReadError(name, "IDX header is shorter than 16 bytes")
    magic, count, rows, cols = struct.unpack(">iiii", data[:16])
    if magic != IDX_IMAGE_MAGIC:
        raise ImageReadError(name, f"IDX magic is {magic}, expected {IDX_IMAGE_MAGIC}")
    expected = count * rows * cols
    if len(data) - 16 < expected:
        raise ImageReadError(name, f"IDX file holds {len(data) - 16} pixel bytes, header promises {expected}")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=16).reshape(count, rows, cols)


def list_image_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Return the image (and IDX) files directly inside ``folder``, sorted by name."""
    root = Path(folder)
    return sorted(
        p
        for p in root.iterdir()
        if p.is_file() and (p.suffix.lower() in IMAGE_SUFFIXES or p.name.endswith(tuple(IDX_SUFFIXES)))
    )


def expand_inputs(inputs: Iterable[str | os.PathLike[str]]) -> Iterator[Path | ImageReadError]:
    """Expand files and folders into image paths; a folder with no images yields an error."""
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files = list_image_files(p)
            if not files:
                yield ImageReadError(printable_path(p), "folder holds no image files")
            yield from files
        else:
            yield p


def load_images(
    inputs: Iterable[str | os.PathLike[str]], *, keep_gray: bool = False
) -> tuple[list[LoadedImage], list[ImageReadError]]:
    """Read files, folders and IDX files; return the good images in order and one error per bad input.

    With ``keep_gray`` IDX images stay (rows, cols) single-channel; otherwise they are made RGB.
    """
    images: list[LoadedImage] = []
    errors: list[ImageReadError] = []
    for item in expand_inputs(inputs):
        if isinstance(item, ImageReadError):
            errors.append(item)
            continue
        label = str(item)
        try:
            if is_idx_file(item):
                for i, digit in enumerate(read_idx_images(item)):
                    pix = digit if keep_gray else np.repeat(digit[..., None], 3, axis=2)
                    images.append(LoadedImage(f"{label}[{i}]", pix))
            else:
                images.append(LoadedImage(label, read_image(item)))
        except ImageReadError as exc:
            errors.append(exc)
    return images, errors


def resize_for_model(pixels: np.ndarray, size: int = 224) -> np.ndarray:
    """Resize an RGB uint8 HWC image to the ``[1, size, size, 3]`` batch a static-shape model takes.

    PIL's bilinear filter, which antialiases when it shrinks; the model card's top-1 uses the same.
    The batch is a writeable array of its own, so a request can take it without a copy
    (``share_inputs=True``; a read-only array would be copied by OpenVINO's data dispatcher).
    """
    return _resized(Image.fromarray(pixels), size)


def _resized(rgb: Image.Image, size: int) -> np.ndarray:
    """``rgb`` resized (bilinear) to a writeable ``[1, size, size, 3]`` uint8 batch."""
    return np.array(rgb.resize((size, size), Image.Resampling.BILINEAR), dtype=np.uint8)[None]


def read_for_model(path: str | os.PathLike[str], size: int = 224) -> np.ndarray:
    """Decode one image file and resize it: the host work of the running example (03-05).

    The same pixels as ``resize_for_model(read_image(path), size)``, without the full-size array.
    """
    return _open_and_finish(path, lambda rgb: _resized(rgb, size))


def _read_or_error(path: str | os.PathLike[str], size: int) -> np.ndarray | ImageReadError:
    """``read_for_model``, with a bad file returned as its error instead of raised."""
    try:
        return read_for_model(path, size)
    except ImageReadError as exc:
        return exc


def prefetch(
    paths: Iterable[str | os.PathLike[str]],
    size: int = 224,
    workers: int = 2,
    depth: int = 4,
) -> Iterator[tuple[str, np.ndarray | ImageReadError]]:
    """Decode and resize ahead in a small thread pool; yield ``(name, batch or error)`` in input order.

    Each of ``workers`` threads takes the next path itself, decodes and resizes it, and files the
    batch under its position, so the caller's thread only picks up finished batches. What bounds
    memory: at most ``depth`` paths are taken ahead of the caller (a semaphore the caller releases
    per yielded batch), so at most ``depth`` resized batches (``size x size x 3`` bytes each) wait,
    and at most ``workers`` full-size images (bounded by ``MAX_SIDE``) are being decoded at once.
    PIL releases the GIL while it decodes and resizes, so the pool runs beside OpenVINO's threads.
    ``paths`` may be lazy: the pool's threads advance it, one at a time; an error it raises comes
    out here after the batches before it. Closing the generator early stops the pool.
    """
    source = iter(paths)
    ahead = threading.Semaphore(max(1, depth))
    take_lock = threading.Lock()
    filed = threading.Condition()
    ready: dict[int, tuple[str, np.ndarray | ImageReadError] | BaseException] = {}
    state: dict[str, Any] = {"taken": 0, "total": None, "error": None, "stop": False}

    def take() -> tuple[int, str | os.PathLike[str]] | None:
        """The next (position, path), or None at the end (or when stopped)."""
        with take_lock:
            if state["stop"] or state["total"] is not None:
                return None
            try:
                path = next(source)
            except BaseException as exc:  # noqa: BLE001 - StopIteration, or handed to the caller
                state["error"] = None if isinstance(exc, StopIteration) else exc
                state["total"] = state["taken"]
                return None
            state["taken"] += 1
            return state["taken"] - 1, path

    def work() -> None:
        while True:
            ahead.acquire()
            job = take()
            if job is None:
                ahead.release()  # pass the wake-up on: the other workers end too
                with filed:
                    filed.notify_all()
                return
            index, path = job
            try:
                item: tuple[str, np.ndarray | ImageReadError] | BaseException = (
                    printable_path(Path(path)),
                    _read_or_error(path, size),
                )
            except BaseException as exc:  # noqa: BLE001 - not a bad image: re-raised in order
                item = exc
            with filed:
                ready[index] = item
                filed.notify_all()

    threads = [
        threading.Thread(target=work, name=f"prefetch-{i}", daemon=True) for i in range(max(1, workers))
    ]
    for thread in threads:
        thread.start()
    try:
        for index in itertools.count():
            with filed:
                while index not in ready and (state["total"] is None or index < state["total"]):
                    filed.wait()
                if index not in ready:
                    break
                item = ready.pop(index)
            ahead.release()
            if isinstance(item, BaseException):
                raise item
            yield item
        if state["error"] is not None:
            raise state["error"]
    finally:
        state["stop"] = True
        for _ in threads:
            ahead.release()
