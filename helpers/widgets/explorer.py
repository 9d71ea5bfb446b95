"""Notebook 05's prediction explorer: gallery, detail view, upload and a folder box, on any device.

It compiles with ``build_static_classifier`` (notebook 01; the host resizes to 224 x 224) and
classifies folders with an ``AsyncInferQueue`` on a background thread (``FolderRunner``). Callbacks
only store results and schedule one refresh (``LoopScheduler``); widgets change on the kernel's
main thread only.
"""

from __future__ import annotations

import html
import os
import threading
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import openvino as ov

from helpers import advise
from helpers.images import ImageReadError, expand_inputs, resize_for_model
from helpers.labels import label_of, load_labels, to_probabilities
from helpers.paths import IMAGES_DIR, SHIPPED_LABELS, SHIPPED_MODEL, display_path, first_line, printable_path
from helpers.widgets.detail import DetailView
from helpers.widgets.devices import device_dropdown
from helpers.widgets.folder_runner import FolderRunner, folder_items, resolve_folder
from helpers.widgets.gallery import Gallery
from helpers.widgets.model_field import ModelField, compile_classifier, load_classifier
from helpers.widgets.scheduling import LoopScheduler
from helpers.widgets.store import Prediction, ResultStore
from helpers.widgets.uploads import decode_upload, upload_files

# f32 keeps the labels and rounded probabilities identical on every x86 CPU (bf16 moves them).
EXPLORER_CONFIG = {"PERFORMANCE_HINT": "THROUGHPUT", "INFERENCE_PRECISION_HINT": "f32"}
SIZE = 224


class PredictionExplorer:
    """Gallery, large view with top-k bars, top-k slider, device dropdown, upload and folder box.

    ``widget`` is the whole UI (the explorer also displays itself). Setting a widget's ``value``
    in code does exactly what the learner's click does, which is how the unit tests drive it.
    """

    def __init__(
        self,
        core: ov.Core,
        *,
        device: str | widgets.Dropdown = "CPU",
        model_path: str | os.PathLike[str] = SHIPPED_MODEL,
        labels_path: str | os.PathLike[str] = SHIPPED_LABELS,
        images_dir: str | os.PathLike[str] | None = IMAGES_DIR,
        config: dict | None = None,
        k: int = 5,
    ) -> None:
        self.core = core
        self.model_path = Path(model_path)
        self.config = dict(EXPLORER_CONFIG if config is None else config)
        self.labels, self.labels_warning = load_labels(labels_path, 1000)
        self.schedule = LoopScheduler()
        self.store = ResultStore()
        self.runner = FolderRunner(self.store, self._request_refresh)
        self._refresh_lock = threading.Lock()
        self._refresh_scheduled = False
        self.upload_lines: list[str] = []

        self.device = device if isinstance(device, widgets.Dropdown) else device_dropdown(core, device)
        self.detail = DetailView(self.labels, k)
        self.cards = Gallery(self.labels, self._select)
        self.upload = widgets.FileUpload(accept="image/*", multiple=True, description="Upload")
        self.upload_result = widgets.HTML()
        self.folder = widgets.Text(
            placeholder="a folder of images, then Enter",
            description="Folder:",
            continuous_update=False,
            layout=widgets.Layout(width="420px"),
        )
        self.model_box = ModelField(self.load_model)
        self.model_field, self.model_status = self.model_box.path, self.model_box.status
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Classified:")
        self.status = widgets.HTML()
        self.error_list = widgets.HTML()
        for w, cls in [
            (self.error_list, "explorer-errors"),
            (self.status, "explorer-status"),
            (self.upload_result, "explorer-upload-result"),
            (self.upload, "explorer-upload"),
            (self.folder, "explorer-folder"),
        ]:
            w.add_class(cls)
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.device, self.detail.top_k, self.upload, self.upload_result]),
                widgets.HBox([self.folder, self.progress, self.status]),
                self.model_box.box,
                self.error_list,
                widgets.HBox([self.cards.box, self.detail.box]),
            ]
        )
        self.widget.add_class("prediction-explorer")
        # the parts, by the names the notebook and the tests use
        self.gallery, self.selector, self.top_k = self.cards.box, self.detail.selector, self.detail.top_k
        self.view, self.top1, self.bars = self.detail.view, self.detail.top1, self.detail.bars

        self.compiled = self._compile(self.device.value)
        self.selector.observe(self._on_select, "value")
        self.top_k.observe(self._on_top_k, "value")
        self.device.observe(self._on_device, "value")
        self.upload.observe(self._on_upload, "value")
        self.folder.observe(self._on_folder, "value")
        if images_dir is not None:
            self.classify_folder(images_dir)
            self.wait(timeout=300)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Display the explorer's widget when the explorer is the last expression of a cell."""
        return self.widget._repr_mimebundle_(**kwargs)

    # ----- public API ---------------------------------------------------------------------------
    @property
    def errors(self) -> list[str]:
        """One line per input that could not be classified (file name and reason)."""
        return self.store.errors

    def predictions(self) -> list[Prediction]:
        """Every classified image in gallery order."""
        return self.store.predictions()

    @property
    def selected(self) -> Prediction | None:
        """The prediction shown large, or None."""
        return self.store.get(self.selector.value)

    @property
    def busy(self) -> bool:
        """Whether a folder (or re-classification) run is still in flight."""
        return self.runner.busy

    def classify(self, pixels: np.ndarray) -> np.ndarray:
        """Classify one RGB uint8 image synchronously (resized on the host); return its probabilities."""
        batch = pixels[None] if pixels.shape == (SIZE, SIZE, 3) else resize_for_model(pixels, SIZE)
        return to_probabilities(self.compiled(batch, share_inputs=False)[0])

    def classify_folder(self, folder: str | os.PathLike[str]) -> bool:
        """Start classifying every image in ``folder`` in the background; False if it does not exist."""
        path = resolve_folder(str(folder))
        name = printable_path(path)
        try:
            if not path.exists():
                raise FileNotFoundError("folder not found")
            files = list(expand_inputs([path]))
        except (OSError, ValueError) as exc:  # missing, unreadable, or not a valid path at all
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.store.add_error(f"{name}: {reason}")
            self._refresh_now_or_later()
            return False
        self.runner.start(name, lambda: folder_items(files, SIZE), len(files), self.compiled)
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every background run has finished; on the main thread, refresh the widgets."""
        finished = self.runner.wait(timeout)
        if self.schedule.on_owner_thread():
            self.schedule.flush()
            self._refresh()
        return finished

    def load_model(self, path: str | os.PathLike[str], labels_path: str | None = None) -> bool:
        """Use another IR/ONNX classifier (the model field, on Enter); a refused one is one error line."""
        try:
            loaded = load_classifier(self.core, path, self.device.value, self.config, SIZE, labels_path)
        except advise.AdviseError as exc:
            self.store.add_error(str(exc))
            self._refresh_now_or_later()
            return False
        self.model_path, self.compiled, self.labels = loaded.path, loaded.compiled, loaded.labels
        self.detail.labels = self.cards.labels = loaded.labels
        self.model_status.value = html.escape(f"{display_path(loaded.path)}; labels: {loaded.note}")
        self._reclassify(f"re-classify with {loaded.path.name}")
        return True

    def _reclassify(self, title: str) -> None:
        """Run every gallery image through the current compiled model again, in the background."""
        current = [(p.key, p.name, p.pixels[None]) for p in self.predictions()]
        self.runner.start(title, lambda: current, len(current), self.compiled)

    # ----- inference ----------------------------------------------------------------------------
    def _compile(self, device: str) -> ov.CompiledModel:
        """Compile the current classifier for ``device`` (``model_field.compile_classifier``)."""
        return compile_classifier(self.core, self.model_path, device, self.config, SIZE)

    # ----- widgets (main thread only) -----------------------------------------------------------
    def _request_refresh(self) -> None:
        """Any thread: schedule one refresh on the main thread (coalesced)."""
        with self._refresh_lock:
            if self._refresh_scheduled:
                return
            self._refresh_scheduled = True
        self.schedule(self._refresh)

    def _refresh_now_or_later(self) -> None:
        """Refresh at once when on the main thread, else schedule it."""
        if self.schedule.on_owner_thread():
            self._refresh()
        else:
            self._request_refresh()

    def _refresh(self) -> None:
        """Bring the widgets up to date with the stored results, errors and progress."""
        with self._refresh_lock:
            self._refresh_scheduled = False
        state = self.store.snapshot(self.runner.busy)
        self.cards.update(state.ordered, state.dirty)
        previous = self.selector.value
        if self.detail.set_keys([p.key for p in state.ordered]) or previous in state.dirty:
            self._show(self.selector.value)
        self.progress.max = max(state.total, 1)
        self.progress.value = min(state.done, max(state.total, 1))
        if state.title:
            phase = "classifying" if state.running else "done"
            self.status.value = f"{html.escape(state.title)}: {phase}, {state.done}/{state.total} inputs"
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in state.errors)
        self.error_list.value = f"<ul>{lines}</ul>" if lines else ""

    def _select(self, key: str) -> None:
        """Select a gallery entry (what clicking its card does)."""
        self.selector.value = key

    def _show(self, key: str | None) -> None:
        """Show the selected image large and mark its card."""
        self.cards.highlight(key)
        self.detail.show(self.store.get(key))

    # ----- observers ----------------------------------------------------------------------------
    def _on_select(self, change: dict) -> None:
        """Selector changed: show that image."""
        if not self.detail.syncing:
            self._show(change["new"])

    def _on_top_k(self, change: dict) -> None:
        """Slider moved: redraw the bars of the selected image."""
        self.detail.show_bars(self.selected)

    def _on_device(self, change: dict) -> None:
        """Device changed: recompile, then re-classify every gallery image on the new device."""
        self.status.value = f"compiling for {html.escape(change['new'])}…"
        try:
            self.compiled = self._compile(change["new"])
        except Exception as exc:  # noqa: BLE001 - a device that fails to compile must not kill the UI
            self.store.add_error(f"device {change['new']}: cannot compile ({first_line(exc)})")
            self._refresh()
            return
        self._reclassify(f"re-classify on {change['new']}")

    def _on_upload(self, change: dict) -> None:
        """Files uploaded: classify each at once; one line per file (its top-1, or why it failed)."""
        files = upload_files(change["new"])
        if not files:
            return
        lines, last = [], None
        for name, data in files:
            try:
                pixels = resize_for_model(decode_upload(name, data), SIZE)[0]
                probs = self.classify(pixels)
            except ImageReadError as exc:
                lines.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - one line per bad upload, never a traceback
                lines.append(f"{name}: cannot be classified ({first_line(exc)})")
            else:
                prediction = Prediction(f"upload/{Path(name).name}", Path(name).name, pixels, probs)
                self.store.put(prediction)
                cid, p = prediction.top1
                lines.append(f"{name}: {label_of(cid, self.labels)} ({p:.2f})")
                last = prediction.key
                continue
            self.store.add_error(lines[-1])
        self.upload_lines = lines
        self.upload_result.value = "<br>".join(html.escape(line) for line in lines)
        self._refresh()
        if last is not None:
            self.selector.value = last
        self.upload.value = ()  # so the same file can be uploaded again

    def _on_folder(self, change: dict) -> None:
        """Folder path entered: classify its images in the background (the kernel stays free)."""
        if change["new"].strip():
            self.classify_folder(change["new"])
