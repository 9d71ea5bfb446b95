"""Classify a folder in the background: a thread feeds an ``AsyncInferQueue`` (notebook 04).

The thread decodes ahead with ``helpers.images.prefetch`` and submits each image with its index
as userdata. The queue's callbacks run on OpenVINO's threads and only store the result and call
``notify()``; they never touch a widget (``helpers.widgets.scheduling`` says why).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import openvino as ov

from helpers.images import ImageReadError, is_idx_file, prefetch, read_idx_images, resize_for_model
from helpers.labels import to_probabilities
from helpers.paths import REPO_ROOT, display_path
from helpers.queue_runner import first_output_copy
from helpers.widgets.store import Prediction, ResultStore
from helpers.workarounds import SafeCallback

# One input of a run: (gallery key, short name, [1, size, size, 3] u8 batch), or why it failed.
Item = tuple[str, str, np.ndarray] | ImageReadError


def resolve_folder(text: str) -> Path:
    """Resolve a typed folder path: as given (or from the cwd), else relative to the repository."""
    path = Path(os.path.expanduser(text.strip()))
    if path.is_absolute() or path.exists():
        return path
    return REPO_ROOT / path


def folder_items(files: list[Path | ImageReadError], size: int = 224) -> Iterator[Item]:
    """Decode and resize files ahead (``prefetch``), in input order; IDX files give one item per digit."""
    photos = [f for f in files if isinstance(f, Path) and not is_idx_file(f)]
    with contextlib.closing(prefetch(photos, size)) as decoded:
        for item in files:
            if isinstance(item, ImageReadError):
                yield item
            elif is_idx_file(item):
                try:
                    digits = read_idx_images(item)
                except ImageReadError as exc:
                    yield exc
                    continue
                for i, digit in enumerate(digits):
                    rgb = np.repeat(digit[..., None], 3, axis=2)
                    yield f"{display_path(item)}[{i}]", f"{item.name}[{i}]", resize_for_model(rgb, size)
            else:
                name, batch = next(decoded)
                yield batch if isinstance(batch, ImageReadError) else (name, Path(name).name, batch)


class FolderRunner:
    """Runs of inputs through an ``AsyncInferQueue`` on a background thread, one run after another."""

    def __init__(self, store: ResultStore, notify: Callable[[], None]) -> None:
        self.store = store
        self.notify = notify  # called from any thread; it must only schedule widget work
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._one_at_a_time = threading.Lock()
        self._pending = 0

    @property
    def busy(self) -> bool:
        """Whether a run is queued or in flight."""
        with self._lock:
            return self._pending > 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every run has finished; False when ``timeout`` passed first."""
        with self._done:
            return self._done.wait_for(lambda: self._pending == 0, timeout)

    def start(
        self, title: str, items: Callable[[], Iterable[Item]], expected: int, compiled: ov.CompiledModel
    ) -> None:
        """Count a run as pending and start its thread; ``items()`` is called on that thread."""
        with self._lock:
            self._pending += 1
        threading.Thread(
            target=self._run, args=(title, items, expected, compiled), name="explorer-run", daemon=True
        ).start()

    def _run(
        self, title: str, items: Callable[[], Iterable[Item]], expected: int, compiled: ov.CompiledModel
    ) -> None:
        """Background thread: one run; never raises, always marks the run done."""
        with self._one_at_a_time:
            try:
                self._feed(title, items(), expected, compiled)
            except BaseException as exc:  # noqa: BLE001 - a dying thread would leave wait() hanging
                self.store.add_error(f"{title}: {type(exc).__name__}: {exc}")
            finally:
                with self._lock:
                    self._pending -= 1
                self.notify()  # scheduled before wait() returns, so a refresh sees the final state
                with self._done:
                    self._done.notify_all()

    def _feed(self, title: str, items: Iterable[Item], expected: int, compiled: ov.CompiledModel) -> None:
        """Submit every image with its index as userdata; the callback stores and notifies."""
        queue = ov.AsyncInferQueue(compiled)  # jobs=0: OPTIMAL_NUMBER_OF_INFER_REQUESTS
        inflight: dict[int, tuple[str, str, np.ndarray]] = {}

        def on_done(request: ov.InferRequest, index: int) -> None:  # an OpenVINO thread
            key, name, batch = inflight.pop(index)
            self.store.put(Prediction(key, name, batch[0], to_probabilities(first_output_copy(request))))
            self.store.step()
            self.notify()

        callback = SafeCallback(on_done)
        queue.set_callback(callback)
        self.store.start_run(title, expected)
        self.notify()
        for index, item in enumerate(items):
            self.store.saw_input(index)
            if isinstance(item, ImageReadError):
                self.store.add_error(str(item))
                self.store.step()
                continue
            self.store.reserve(item[0])
            inflight[index] = item
            queue.start_async({0: item[2]}, index)  # copies the batch; blocks only while all are busy
        queue.wait_all()
        for fault in callback.errors:
            self.store.add_error(f"{title}: callback failed: {fault}")
            self.store.step()
