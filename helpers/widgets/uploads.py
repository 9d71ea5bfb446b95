"""Files from the Upload button: read the widget's value and decode each file like any image file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from helpers.images import ImageReadError, read_image


def upload_files(value: Any) -> list[tuple[str, bytes]]:
    """Return ``(name, bytes)`` per file of a FileUpload value (ipywidgets 8 tuple or 7 dict)."""
    if isinstance(value, dict):  # ipywidgets 7: {name: {"content": bytes, "metadata": {...}}}
        items = [{"name": name, **entry} for name, entry in value.items()]
    else:
        items = list(value or ())
    return [(str(item.get("name") or "upload"), bytes(item.get("content") or b"")) for item in items]


def decode_upload(name: str, data: bytes) -> np.ndarray:
    """Decode uploaded bytes with ``helpers.images.read_image``; errors name the uploaded file."""
    safe = Path(name.replace("\\", "/")).name or "upload"
    with tempfile.TemporaryDirectory(prefix="explorer-upload-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        try:
            return read_image(path)
        except ImageReadError as exc:
            raise ImageReadError(name, exc.reason) from None
