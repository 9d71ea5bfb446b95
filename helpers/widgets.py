"""ipywidgets: the device dropdown and notebook 05's prediction explorer.

Display code: nothing in the inference path imports this module. The explorer compiles with
``build_classifier`` (notebook 01) and classifies folders with an ``AsyncInferQueue`` (notebook 04)
on a background thread. Its callbacks only store results and *schedule* a refresh; the widgets are
changed on the kernel's event loop (the main thread), so every change reaches the front end.
"""

from __future__ import annotations

import asyncio
import html
import io
import itertools
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import openvino as ov
from PIL import Image

from helpers.asyncq import SafeCallback, first_output_copy
from helpers.images import ImageReadError, expand_inputs, load_images, read_image
from helpers.labels import label_of, load_labels, to_probabilities, top_k
from helpers.models import build_classifier
from helpers.paths import IMAGES_DIR, REPO_ROOT, SHIPPED_LABELS, SHIPPED_MODEL, display_path

# f32 keeps the labels and rounded probabilities identical on every x86 CPU (bf16 moves them).
EXPLORER_CONFIG = {"PERFORMANCE_HINT": "THROUGHPUT", "INFERENCE_PRECISION_HINT": "f32"}
MAX_TOP_K = 10
THUMB_SIDE = 96
VIEW_SIDE = 320

Schedule = Callable[[Callable[[], None]], None]


def device_choices(core: ov.Core) -> list[str]:
    """Return ``core.available_devices`` plus AUTO, CPU first so the default works everywhere."""
    devices = list(core.available_devices)
    devices.sort(key=lambda d: (d != "CPU", d))
    return [*devices, "AUTO"]


def device_dropdown(core: ov.Core, default: str | None = None) -> widgets.Dropdown:
    """A dropdown of the available devices plus AUTO; the default is ``$COURSE_DEVICE``, else CPU."""
    options = device_choices(core)
    default = default or os.environ.get("COURSE_DEVICE", "").strip() or "CPU"
    value = default if default in options else options[0]
    return widgets.Dropdown(options=options, value=value, description="Device:")


@dataclass(frozen=True)
class Prediction:
    """One classified image: its gallery key, short name, pixels and class probabilities."""

    key: str
    name: str
    pixels: np.ndarray
    probs: np.ndarray

    @property
    def top1(self) -> tuple[int, float]:
        """The most probable (class_id, probability)."""
        return top_k(self.probs, 1)[0]


def loop_scheduler() -> Schedule | None:
    """Return a thread-safe "run this on the running event loop" function, or None without a loop.

    In a Jupyter kernel, cell code runs inside the kernel's asyncio loop on the main thread, so a
    function scheduled from an OpenVINO callback thread runs on the main thread once it is free.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None

    def schedule(fn: Callable[[], None]) -> None:
        try:
            loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop is closed: the kernel is shutting down
            pass

    return schedule


def encode_jpeg(pixels: np.ndarray, max_side: int, quality: int = 85) -> bytes:
    """Encode an RGB uint8 image as JPEG, shrunk so that its longest side is at most ``max_side``."""
    image = Image.fromarray(pixels)
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def bars_html(probs: np.ndarray, labels: list[str] | None, k: int) -> str:
    """Render the top-k probabilities as HTML bars (one ``explorer-bar`` div per class, best first)."""
    rows = []
    for rank, (cid, p) in enumerate(top_k(probs, k)):
        name = html.escape(label_of(cid, labels))
        color = "#dd8452" if rank == 0 else "#4c72b0"
        rows.append(
            '<div class="explorer-bar" style="display:flex;align-items:center;margin:3px 0">'
            f'<span title="{name}" style="width:210px;overflow:hidden;text-overflow:ellipsis;'
            f'white-space:nowrap">{name}</span>'
            '<span style="flex:1;background:#eee;height:16px;margin:0 8px">'
            f'<span style="display:block;height:100%;width:{100 * p:.1f}%;background:{color}"></span>'
            f'</span><span style="width:3em;text-align:right">{p:.2f}</span></div>'
        )
    return f'<div class="explorer-bars" style="width:420px">{"".join(rows)}</div>'


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


def resolve_folder(text: str) -> Path:
    """Resolve a typed folder path: as given (or from the cwd), else relative to the repository."""
    path = Path(os.path.expanduser(text.strip()))
    if path.is_absolute() or path.exists():
        return path
    return REPO_ROOT / path


def _key_of(name: str) -> str:
    """Gallery key of a loaded image: its path relative to the repository when inside it."""
    return display_path(Path(name))


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
        schedule: Schedule | None = None,
    ) -> None:
        self.core = core
        self.model_path = Path(model_path)
        self.config = dict(EXPLORER_CONFIG if config is None else config)
        self.labels, self.labels_warning = load_labels(labels_path, 1000)
        self._schedule = schedule or loop_scheduler()
        self._ui_thread = threading.get_ident()
        self._lock = threading.Lock()
        self._runs_done = threading.Condition(self._lock)
        self._run_lock = threading.Lock()
        self._entries: dict[str, Prediction] = {}
        self._order: dict[str, int] = {}
        self._seq = itertools.count()
        self._dirty: set[str] = set()
        self._errors: list[str] = []
        self._pending_runs = 0
        self._progress = (0, 0, "")
        self._refresh_scheduled = False
        self._cards: dict[str, tuple[widgets.VBox, widgets.Button, widgets.Image]] = {}
        self._syncing_selector = False
        self.upload_lines: list[str] = []

        self.device = device if isinstance(device, widgets.Dropdown) else device_dropdown(core, device)
        self.top_k = widgets.IntSlider(value=k, min=1, max=MAX_TOP_K, description="Top-k:")
        self.upload = widgets.FileUpload(accept="image/*", multiple=True, description="Upload")
        self.upload_result = widgets.HTML()
        self.folder = widgets.Text(
            placeholder="a folder of images, then Enter",
            description="Folder:",
            continuous_update=False,
            layout=widgets.Layout(width="420px"),
        )
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Classified:")
        self.status = widgets.HTML()
        self.error_list = widgets.HTML()
        self.gallery = widgets.Box(
            layout=widgets.Layout(
                flex_flow="row wrap",
                align_content="flex-start",
                width="56%",
                max_height="560px",
                overflow="auto",
            )
        )
        self.selector = widgets.Dropdown(
            description="Image:", options=[], layout=widgets.Layout(width="400px")
        )
        self.view = widgets.Image(format="jpeg", layout=widgets.Layout(max_width=f"{VIEW_SIDE}px"))
        self.top1 = widgets.HTML()
        self.bars = widgets.HTML()
        for w, cls in [
            (self.gallery, "explorer-gallery"),
            (self.top1, "explorer-top1"),
            (self.bars, "explorer-bars-widget"),
            (self.error_list, "explorer-errors"),
            (self.status, "explorer-status"),
            (self.upload_result, "explorer-upload-result"),
            (self.upload, "explorer-upload"),
            (self.folder, "explorer-folder"),
            (self.top_k, "explorer-topk"),
        ]:
            w.add_class(cls)
        selected = widgets.VBox(
            [self.selector, self.view, self.top1, self.bars],
            layout=widgets.Layout(width="44%", padding="0 8px"),
        )
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.device, self.top_k, self.upload, self.upload_result]),
                widgets.HBox([self.folder, self.progress, self.status]),
                self.error_list,
                widgets.HBox([self.gallery, selected]),
            ]
        )
        self.widget.add_class("prediction-explorer")

        self.compiled = self._compile(self.device.value)
        self.selector.observe(self._on_select, "value")
        self.top_k.observe(self._on_top_k, "value")
        self.device.observe(self._on_device, "value")
        self.upload.observe(self._on_upload, "value")
        self.folder.observe(self._on_folder, "value")
        if images_dir is not None:
            self.classify_folder(images_dir)
            self.wait(timeout=300)

    # ----- public API -------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Display the explorer's widget when the explorer is the last expression of a cell."""
        return self.widget._repr_mimebundle_(**kwargs)

    @property
    def errors(self) -> list[str]:
        """One line per input that could not be classified (file name and reason)."""
        with self._lock:
            return list(self._errors)

    def predictions(self) -> list[Prediction]:
        """Every classified image in gallery order."""
        with self._lock:
            return sorted(self._entries.values(), key=lambda p: self._order[p.key])

    @property
    def selected(self) -> Prediction | None:
        """The prediction shown large, or None."""
        with self._lock:
            return self._entries.get(self.selector.value)

    @property
    def busy(self) -> bool:
        """Whether a folder (or re-classification) run is still in flight."""
        with self._lock:
            return self._pending_runs > 0

    def classify(self, pixels: np.ndarray) -> np.ndarray:
        """Classify one RGB uint8 image synchronously; return its probabilities."""
        # share_inputs=False: with the default zero-copy input on a temporary array, later
        # AsyncInferQueue runs on the same compiled model returned wrong results and crashed
        # (OpenVINO 2026.4, dynamic-shape PPP model).
        return to_probabilities(self.compiled(pixels[None], share_inputs=False)[0])

    def classify_folder(self, folder: str | os.PathLike[str]) -> bool:
        """Start classifying every image in ``folder`` in the background; False if it does not exist."""
        path = resolve_folder(str(folder))
        name = display_path(path).encode("utf-8", "backslashreplace").decode("utf-8")
        try:
            if not path.exists():
                raise FileNotFoundError("folder not found")
            files = list(expand_inputs([path]))
        except (OSError, ValueError) as exc:  # missing, unreadable, or not a valid path at all
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._add_error(f"{name}: {reason}")
            self._refresh_now_or_later()
            return False
        self._start_run(name, lambda: self._folder_items(files), len(files))
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every background run has finished; refresh the widgets when on their thread."""
        with self._runs_done:
            finished = self._runs_done.wait_for(lambda: self._pending_runs == 0, timeout)
        if threading.get_ident() == self._ui_thread:
            self._refresh()
        return finished

    # ----- inference ---------------------------------------------------------------------------
    def _compile(self, device: str) -> ov.CompiledModel:
        """Compile the classifier for ``device`` (``build_classifier``, notebook 01)."""
        return build_classifier(self.core, self.model_path, device, self.config)

    def _folder_items(
        self, files: list[Path | ImageReadError]
    ) -> Iterator[ImageReadError | tuple[str, str, np.ndarray]]:
        """Decode files lazily (in the background thread): images, and one error per bad file."""
        for item in files:
            if isinstance(item, ImageReadError):
                yield item
                continue
            loaded, errors = load_images([item])
            yield from errors
            for image in loaded:
                yield _key_of(image.name), Path(image.name).name, image.pixels

    def _start_run(self, title: str, items: Callable[[], Iterable[Any]], expected: int) -> None:
        """Count a run as pending and start its thread (runs execute one after another)."""
        with self._lock:
            self._pending_runs += 1
        thread = threading.Thread(
            target=self._run, args=(title, items, expected, self.compiled), name="explorer-run", daemon=True
        )
        thread.start()

    def _run(
        self, title: str, items: Callable[[], Iterable[Any]], expected: int, compiled: ov.CompiledModel
    ) -> None:
        """Background thread: feed an AsyncInferQueue; never raises, always marks the run done."""
        with self._run_lock:
            try:
                self._run_queue(title, items(), expected, compiled)
            except BaseException as exc:  # noqa: BLE001 - a dying thread would leave wait() hanging
                self._add_error(f"{title}: {type(exc).__name__}: {exc}")
            finally:
                with self._lock:
                    self._pending_runs -= 1
                self._request_refresh()  # scheduled before wait() returns, so it sees the final state
                with self._runs_done:
                    self._runs_done.notify_all()

    def _run_queue(self, title: str, items: Iterable[Any], expected: int, compiled: ov.CompiledModel) -> None:
        """Submit every image to an AsyncInferQueue; callbacks store results and schedule a refresh."""
        queue = ov.AsyncInferQueue(compiled)  # jobs=0: OPTIMAL_NUMBER_OF_INFER_REQUESTS
        inflight: dict[int, tuple[str, str, np.ndarray]] = {}

        def on_done(request: ov.InferRequest, index: int) -> None:
            key, name, pixels = inflight.pop(index)
            self._store(Prediction(key, name, pixels, to_probabilities(first_output_copy(request))))
            self._step(title)
            self._request_refresh()  # only schedules: widgets change on the kernel's main thread

        callback = SafeCallback(on_done)
        queue.set_callback(callback)
        with self._lock:
            self._progress = (0, expected, title)
        self._request_refresh()
        for index, item in enumerate(items):
            with self._lock:  # an IDX file holds many images: grow the total as they appear
                done, total, _ = self._progress
                self._progress = (done, max(total, index + 1), title)
            if isinstance(item, ImageReadError):
                self._add_error(str(item))
                self._step(title)
                continue
            key, name, pixels = item
            with self._lock:
                self._order.setdefault(key, next(self._seq))
            inflight[index] = item
            queue.start_async({0: pixels[None]}, index)  # blocks only this thread when all are busy
        queue.wait_all()
        for fault in callback.errors:
            self._add_error(f"{title}: callback failed: {fault}")

    # ----- shared state (any thread) -----------------------------------------------------------
    def _store(self, prediction: Prediction) -> None:
        """Keep a prediction and mark its card for the next refresh."""
        with self._lock:
            self._order.setdefault(prediction.key, next(self._seq))
            self._entries[prediction.key] = prediction
            self._dirty.add(prediction.key)

    def _add_error(self, line: str) -> None:
        """Record one bad-input line."""
        with self._lock:
            self._errors.append(line)

    def _step(self, title: str) -> None:
        """Count one finished input of the current run."""
        with self._lock:
            done, total, _ = self._progress
            self._progress = (done + 1, total, title)

    def _request_refresh(self) -> None:
        """Schedule one refresh on the UI thread's loop (coalesced); without a loop, wait() refreshes."""
        if self._schedule is None:
            return
        with self._lock:
            if self._refresh_scheduled:
                return
            self._refresh_scheduled = True
        self._schedule(self._refresh)

    def _refresh_now_or_later(self) -> None:
        """Refresh at once when on the UI thread, else schedule it."""
        if threading.get_ident() == self._ui_thread:
            self._refresh()
        else:
            self._request_refresh()

    # ----- widgets (UI thread only) ------------------------------------------------------------
    def _refresh(self) -> None:
        """Bring the widgets up to date with the stored results, errors and progress."""
        with self._lock:
            self._refresh_scheduled = False
            dirty, self._dirty = self._dirty, set()
            ordered = sorted(self._entries.values(), key=lambda p: self._order[p.key])
            errors = list(self._errors)
            done, total, title = self._progress
            running = self._pending_runs > 0
        for prediction in ordered:
            if prediction.key in dirty or prediction.key not in self._cards:
                self._update_card(prediction)
        self.gallery.children = tuple(self._cards[p.key][0] for p in ordered)
        keys = [p.key for p in ordered]
        if list(self.selector.options) != keys:
            current = self.selector.value
            self._syncing_selector = True
            try:
                self.selector.options = keys
                self.selector.value = current if current in keys else (keys[0] if keys else None)
            finally:
                self._syncing_selector = False
            if self.selector.value != current or current in dirty:
                self._show(self.selector.value)
        elif self.selector.value in dirty:
            self._show(self.selector.value)
        self.progress.max = max(total, 1)
        self.progress.value = min(done, max(total, 1))
        if title:
            state = "classifying" if running else "done"
            self.status.value = f"{html.escape(title)}: {state}, {done}/{total} inputs"
        self.error_list.value = (
            "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in errors) + "</ul>" if errors else ""
        )

    def _update_card(self, prediction: Prediction) -> None:
        """Create or update the gallery card (thumbnail + button with top-1) of one prediction."""
        cid, p = prediction.top1
        text = f"{label_of(cid, self.labels)} {p:.2f}"
        thumb = encode_jpeg(prediction.pixels, THUMB_SIDE)
        if prediction.key in self._cards:
            _, button, image = self._cards[prediction.key]
            button.description, button.tooltip, image.value = text, f"{prediction.key}: {text}", thumb
            return
        image = widgets.Image(
            value=thumb, format="jpeg", layout=widgets.Layout(max_height=f"{THUMB_SIDE}px", max_width="100%")
        )
        name = html.escape(prediction.name)
        caption = widgets.HTML(
            f'<div class="explorer-name" title="{name}" style="font-size:12px;line-height:16px;'
            f'white-space:nowrap;overflow:hidden;text-overflow:ellipsis">{name}</div>',
            layout=widgets.Layout(width="122px"),
        )
        button = widgets.Button(
            description=text,
            tooltip=f"{prediction.key}: {text}",
            layout=widgets.Layout(width="122px", padding="0 4px"),
            style={"font_size": "11px"},
        )
        button.add_class("explorer-card-button")
        button.on_click(lambda _b, key=prediction.key: self._select(key))
        card = widgets.VBox([image, caption, button], layout=widgets.Layout(width="128px", margin="3px"))
        card.add_class("explorer-card")
        self._cards[prediction.key] = (card, button, image)

    def _select(self, key: str) -> None:
        """Select a gallery entry (what clicking its card does)."""
        self.selector.value = key

    def _show(self, key: str | None) -> None:
        """Show the selected image large with its top-1 line and top-k bars; mark its card."""
        with self._lock:
            prediction = self._entries.get(key) if key is not None else None
        for card_key, (_, button, _) in self._cards.items():
            button.button_style = "info" if card_key == key else ""
        if prediction is None:
            self.view.value, self.top1.value, self.bars.value = b"", "", ""
            return
        cid, p = prediction.top1
        self.view.value = encode_jpeg(prediction.pixels, VIEW_SIDE)
        self.top1.value = (
            f"<b>{html.escape(prediction.name)}</b>: top-1 "
            f'<span class="explorer-top1-label">{html.escape(label_of(cid, self.labels))}</span> ({p:.2f})'
        )
        self.bars.value = bars_html(prediction.probs, self.labels, self.top_k.value)

    # ----- observers ---------------------------------------------------------------------------
    def _on_select(self, change: dict) -> None:
        """Selector changed: show that image."""
        if not self._syncing_selector:
            self._show(change["new"])

    def _on_top_k(self, change: dict) -> None:
        """Slider moved: redraw the bars of the selected image."""
        prediction = self.selected
        if prediction is not None:
            self.bars.value = bars_html(prediction.probs, self.labels, change["new"])

    def _on_device(self, change: dict) -> None:
        """Device changed: recompile, then re-classify every gallery image on the new device."""
        self.status.value = f"compiling for {html.escape(change['new'])}…"
        try:
            self.compiled = self._compile(change["new"])
        except Exception as exc:  # noqa: BLE001 - a device that fails to compile must not kill the UI
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self._add_error(f"device {change['new']}: cannot compile ({first[:200]})")
            self._refresh()
            return
        current = [(p.key, p.name, p.pixels) for p in self.predictions()]
        self._start_run(f"re-classify on {change['new']}", lambda: current, len(current))

    def _on_upload(self, change: dict) -> None:
        """Files uploaded: classify each at once; one line per file (its top-1, or why it failed)."""
        files = upload_files(change["new"])
        if not files:
            return
        lines, last = [], None
        for name, data in files:
            try:
                pixels = decode_upload(name, data)
            except ImageReadError as exc:
                lines.append(str(exc))
                self._add_error(str(exc))
                continue
            try:
                probs = self.classify(pixels)
            except Exception as exc:  # noqa: BLE001 - one line per bad upload, never a traceback
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                lines.append(f"{name}: cannot be classified ({first[:200]})")
                self._add_error(lines[-1])
                continue
            key = f"upload/{Path(name).name}"
            prediction = Prediction(key, Path(name).name, pixels, probs)
            self._store(prediction)
            cid, p = prediction.top1
            lines.append(f"{name}: {label_of(cid, self.labels)} ({p:.2f})")
            last = key
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
