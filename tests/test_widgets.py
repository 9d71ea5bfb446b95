"""The prediction explorer, driven in-process the way the front end drives it: by setting ``.value``."""

from __future__ import annotations

import asyncio
import io
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from expected import EXPECTED_TOP1
from PIL import Image

from helpers import widgets as W
from helpers.images import ImageReadError, read_for_model, read_image
from helpers.models import build_static_classifier
from helpers.paths import DIGITS_DIR, IMAGES_DIR, SHIPPED_MODEL, display_path
from helpers.widgets import folder_runner

SAMPLES = sorted(p.name for p in IMAGES_DIR.iterdir())
WAIT = 120  # seconds; a hang fails the test instead of blocking the suite


def bar_count(explorer: W.PredictionExplorer) -> int:
    return explorer.bars.value.count('class="explorer-bar"')


def card_texts(explorer: W.PredictionExplorer) -> list[str]:
    return [card.children[2].description for card in explorer.gallery.children]


def card_key(card) -> str:
    """The gallery key a card shows (its button's tooltip is "key: label probability")."""
    return card.children[2].tooltip.rsplit(": ", 1)[0]


def png_bytes(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def upload_value(name: str, content: bytes) -> tuple[dict, ...]:
    """What ipywidgets 8's FileUpload holds after the learner picks one file."""
    return (
        {
            "name": name,
            "type": "image/png",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime(2026, 1, 1, tzinfo=timezone.utc),
        },
    )


@pytest.fixture
def explorer(core: ov.Core) -> W.PredictionExplorer:
    return W.PredictionExplorer(core)


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """Two good images (one new, one flipped), a junk 'JPEG', an empty PNG and a text file."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(IMAGES_DIR / "coffee.png", folder / "my coffee.png")
    cat = read_image(IMAGES_DIR / "cat.png")
    Image.fromarray(np.ascontiguousarray(cat[:, ::-1])).save(folder / "cat-mirrored.png")
    (folder / "broken.jpg").write_bytes(b"this is not a JPEG at all")
    (folder / "empty.png").write_bytes(b"")
    (folder / "notes.txt").write_text("not an image, and not an image suffix either")
    return folder


def test_device_dropdown_lists_cpu_first_and_auto(core, monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    dropdown = W.device_dropdown(core)
    assert dropdown.value == "CPU"
    assert dropdown.options[0] == "CPU" and dropdown.options[-1] == "AUTO"
    assert W.device_dropdown(core, "NO_SUCH_DEVICE").value == "CPU"


def test_device_dropdown_default_comes_from_course_device(core, monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "AUTO")
    assert W.device_dropdown(core).value == "AUTO"
    assert W.device_dropdown(core, "CPU").value == "CPU"  # an explicit default wins
    monkeypatch.setenv("COURSE_DEVICE", "NO_SUCH_DEVICE")
    assert W.device_dropdown(core).value == "CPU"


def test_gallery_shows_every_sample_with_its_top1(explorer):
    names = [p.name for p in explorer.predictions()]
    assert names == SAMPLES
    assert len(explorer.gallery.children) == len(SAMPLES)
    for prediction, text in zip(explorer.predictions(), card_texts(explorer), strict=True):
        cid, prob = prediction.top1
        assert explorer.labels[cid] == EXPECTED_TOP1[prediction.name]
        label = EXPECTED_TOP1[prediction.name]
        short = label if len(label) <= 13 else label[:12].rstrip() + "…"  # the number must stay visible
        assert text == f"{short} {prob:.2f}"
    grace = next(c for c in explorer.gallery.children if card_key(c).endswith("grace_hopper.jpg"))
    assert grace.children[2].description.startswith("military uni… 0.")
    assert grace.children[2].tooltip.startswith("data/images/grace_hopper.jpg: military uniform 0.")
    # the first image is selected and shown large with the default 5 bars
    assert explorer.selector.value == display_path(IMAGES_DIR / SAMPLES[0])
    assert "tripod" in explorer.top1.value
    assert explorer.view.value[:2] == b"\xff\xd8"  # a JPEG
    assert bar_count(explorer) == 5
    assert explorer.errors == []


def test_selecting_an_image_shows_its_label_and_bars(explorer):
    explorer.selector.value = display_path(IMAGES_DIR / "cat.png")
    assert 'class="explorer-top1-label">Egyptian cat<' in explorer.top1.value
    assert explorer.selected.name == "cat.png"
    assert bar_count(explorer) == 5
    # the selected card is highlighted, the others are not
    styles = {card_key(card): card.children[2].button_style for card in explorer.gallery.children}
    assert styles.pop("data/images/cat.png") == "info"
    assert set(styles.values()) == {""}


def test_clicking_a_card_selects_that_image(explorer):
    coffee = next(c for c in explorer.gallery.children if card_key(c) == "data/images/coffee.png")
    coffee.children[2].click()
    assert explorer.selector.value == "data/images/coffee.png"
    assert ">espresso<" in explorer.top1.value


def test_slider_sets_the_number_of_bars(explorer):
    explorer.selector.value = display_path(IMAGES_DIR / "grace_hopper.jpg")
    for k in (1, 3, 10):
        explorer.top_k.value = k
        assert bar_count(explorer) == k
    # best first: the first bar is the top-1 label
    first_bar = explorer.bars.value.split('class="explorer-bar"')[1]
    assert "military uniform" in first_bar
    # the slider's value is kept when another image is selected
    explorer.selector.value = display_path(IMAGES_DIR / "rocket.jpg")
    assert bar_count(explorer) == 10


def test_changing_device_recompiles_and_reclassifies(explorer, monkeypatch):
    compiled_for: list[str] = []
    original = explorer._compile

    def spy(device: str) -> ov.CompiledModel:
        compiled_for.append(device)
        return original(device)

    monkeypatch.setattr(explorer, "_compile", spy)
    before = explorer.compiled
    labels_before = [(p.key, p.top1[0]) for p in explorer.predictions()]
    explorer.device.value = "AUTO"
    assert explorer.wait(WAIT)
    assert compiled_for == ["AUTO"]
    assert explorer.compiled is not before
    assert "re-classify on AUTO: done, 6/6" in explorer.status.value
    # every image was classified again (new arrays) and keeps its label
    assert [(p.key, p.top1[0]) for p in explorer.predictions()] == labels_before
    assert explorer.errors == []


def test_upload_of_a_png_is_classified_at_once(explorer):
    cat = read_image(IMAGES_DIR / "cat.png")
    expected = explorer.classify(cat)
    explorer.upload.value = upload_value("my-cat.png", png_bytes(cat))
    label, prob = explorer.labels[int(expected.argmax())], float(expected.max())
    assert explorer.upload_lines == [f"my-cat.png: {label} ({prob:.2f})"]
    assert label == "Egyptian cat"
    assert "my-cat.png: Egyptian cat" in explorer.upload_result.value
    # it joins the gallery and is shown large
    assert explorer.selector.value == "upload/my-cat.png"
    assert len(explorer.gallery.children) == len(SAMPLES) + 1
    assert ">Egyptian cat<" in explorer.top1.value
    assert explorer.upload.value == ()  # cleared, so the same file can be uploaded again
    assert explorer.errors == []


def test_junk_upload_gives_one_line_and_loses_nothing(explorer):
    coffee = read_image(IMAGES_DIR / "coffee.png")
    explorer.upload.value = upload_value("junk.png", b"\x89PNG but then nothing useful") + upload_value(
        "cup.png", png_bytes(coffee)
    )
    assert explorer.upload_lines[0] == "junk.png: not a recognised image format"
    assert explorer.upload_lines[1].startswith("cup.png: espresso (")
    assert explorer.errors == ["junk.png: not a recognised image format"]
    assert "upload/cup.png" in explorer.selector.options
    assert "upload/junk.png" not in explorer.selector.options
    explorer.upload.value = upload_value("empty.png", b"")
    assert explorer.upload_lines == ["empty.png: file is empty"]


def test_folder_is_classified_in_the_background(explorer, mixed_folder):
    explorer.folder.value = str(mixed_folder)
    assert explorer.wait(WAIT)
    by_name = {p.name: p for p in explorer.predictions()}
    assert set(by_name) == {*SAMPLES, "my coffee.png", "cat-mirrored.png"}
    assert explorer.labels[by_name["my coffee.png"].top1[0]] == "espresso"
    assert explorer.labels[by_name["cat-mirrored.png"].top1[0]] == "Egyptian cat"
    # the gallery shows them after the samples, in file-name order of submission
    assert len(explorer.gallery.children) == len(SAMPLES) + 2
    assert [card_key(c) for c in explorer.gallery.children[-2:]] == [
        display_path(mixed_folder / "cat-mirrored.png"),
        display_path(mixed_folder / "my coffee.png"),
    ]
    # one line per unreadable file, naming it and the reason; the text file is not an image input
    assert explorer.errors == [
        f"{display_path(mixed_folder / 'broken.jpg')}: not a recognised image format",
        f"{display_path(mixed_folder / 'empty.png')}: file is empty",
    ]
    assert "broken.jpg: not a recognised image format" in explorer.error_list.value
    assert explorer.progress.value == explorer.progress.max == 4
    assert "done, 4/4 inputs" in explorer.status.value


def test_missing_and_empty_folders_give_one_line(explorer, tmp_path):
    explorer.folder.value = str(tmp_path / "no-such-folder")
    assert explorer.errors == [f"{display_path(tmp_path / 'no-such-folder')}: folder not found"]
    (tmp_path / "empty").mkdir()
    explorer.folder.value = str(tmp_path / "empty")
    assert explorer.wait(WAIT)
    assert explorer.errors[-1] == f"{display_path(tmp_path / 'empty')}: folder holds no image files"
    assert len(explorer.predictions()) == len(SAMPLES)


def test_invalid_path_gives_one_line_and_a_single_file_is_accepted(explorer, tmp_path):
    explorer.folder.value = "bad\0path"
    assert explorer.errors == ["bad\0path: folder not found"]
    single = tmp_path / "just-one.png"
    shutil.copy(IMAGES_DIR / "coffee.png", single)
    explorer.folder.value = str(single)
    assert explorer.wait(WAIT)
    assert explorer.predictions()[-1].name == "just-one.png"
    assert len(explorer.errors) == 1


def test_repo_relative_folder_path_works_from_any_cwd(explorer, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    explorer.folder.value = "data/images"
    assert explorer.wait(WAIT)
    assert explorer.errors == []
    assert [p.name for p in explorer.predictions()] == SAMPLES  # same keys: re-classified, not doubled


def test_a_failing_callback_is_reported_and_the_others_still_arrive(explorer, mixed_folder, monkeypatch):
    calls = {"n": 0}
    lock = threading.Lock()
    original = folder_runner.first_output_copy

    def flaky(request: ov.InferRequest) -> np.ndarray:
        with lock:
            calls["n"] += 1
            n = calls["n"]
        if n == 1:
            raise RuntimeError("simulated failure in the callback")
        return original(request)

    monkeypatch.setattr(folder_runner, "first_output_copy", flaky)
    explorer.folder.value = str(mixed_folder)
    assert explorer.wait(WAIT)
    failures = [e for e in explorer.errors if "callback failed" in e]
    assert len(failures) == 1 and "simulated failure in the callback" in failures[0]
    assert len(explorer.predictions()) == len(SAMPLES) + 1


def test_results_reach_the_widgets_on_the_event_loop_thread(core, mixed_folder):
    """In a kernel, callbacks only schedule; the widgets change on the loop's (main) thread."""
    refresh_threads: list[int] = []
    store_threads: list[int] = []

    async def scenario() -> W.PredictionExplorer:
        explorer = W.PredictionExplorer(core, images_dir=None)
        assert explorer.schedule.has_loop
        original_refresh, original_store = explorer._refresh, explorer.store.put

        def refresh() -> None:
            refresh_threads.append(threading.get_ident())
            original_refresh()

        def store(prediction: W.Prediction) -> None:
            store_threads.append(threading.get_ident())
            original_store(prediction)

        explorer._refresh, explorer.store.put = refresh, store
        explorer.folder.value = str(mixed_folder)  # returns at once: the loop keeps running
        assert explorer.busy
        loop = asyncio.get_running_loop()
        # wait() from another thread does not touch the widgets; the scheduled refresh does
        assert await loop.run_in_executor(None, explorer.wait, WAIT)
        flushed = loop.create_future()
        loop.call_soon_threadsafe(flushed.set_result, None)  # FIFO: runs after the scheduled refresh
        await flushed
        return explorer

    explorer = asyncio.run(scenario())
    main = threading.get_ident()
    assert refresh_threads and set(refresh_threads) == {main}
    assert store_threads and main not in store_threads  # results were stored by OpenVINO's threads
    assert len(explorer.gallery.children) == 2
    assert len(explorer.errors) == 2 and "broken.jpg" in explorer.error_list.value
    assert "done, 4/4 inputs" in explorer.status.value


def test_bars_html_is_best_first_and_escaped():
    probs = np.array([0.1, 0.6, 0.3], np.float32)
    out = W.bars_html(probs, ["a<b", "second", "third"], k=2)
    assert out.count('class="explorer-bar"') == 2
    assert out.index("second") < out.index("third")
    assert "a&lt;b" not in out  # only the top 2
    assert "a&lt;b" in W.bars_html(probs, ["a<b", "second", "third"], k=3)


def test_upload_files_accepts_ipywidgets_7_and_8_values():
    v8 = upload_value("x.png", b"abc")
    assert W.upload_files(v8) == [("x.png", b"abc")]
    v7 = {"y.png": {"content": b"def", "metadata": {"name": "y.png"}}}
    assert W.upload_files(v7) == [("y.png", b"def")]
    assert W.upload_files(()) == []


def test_decode_upload_names_the_uploaded_file():
    with pytest.raises(ImageReadError, match=r"^holiday\.jpg: not a recognised image format$"):
        W.decode_upload("holiday.jpg", b"junk")
    # a path-like upload name cannot escape the temporary folder
    pixels = W.decode_upload("../../evil/cat.png", png_bytes(np.zeros((4, 5, 3), np.uint8)))
    assert pixels.shape == (4, 5, 3)


def test_scheduler_without_a_loop_waits_for_flush_and_runs_each_call_once():
    schedule = W.LoopScheduler()
    assert not schedule.has_loop
    ran: list[str] = []
    worker = threading.Thread(target=lambda: schedule(lambda: ran.append("from a worker")))
    worker.start()
    worker.join()
    schedule(lambda: 1 / 0)
    assert ran == [] and schedule.pending == 2
    assert schedule.flush() == 2
    assert ran == ["from a worker"] and schedule.pending == 0
    assert schedule.flush() == 0  # nothing runs twice
    assert len(schedule.errors) == 1 and "ZeroDivisionError" in schedule.errors[0]
    refused: list[BaseException] = []

    def flush_elsewhere() -> None:
        try:
            schedule.flush()
        except RuntimeError as exc:
            refused.append(exc)

    schedule(lambda: ran.append("later"))
    t = threading.Thread(target=flush_elsewhere)
    t.start()
    t.join()
    assert len(refused) == 1 and "thread that created" in str(refused[0])
    assert schedule.pending == 1 and ran == ["from a worker"]


def test_scheduled_calls_run_on_the_loop_thread_once_even_after_a_flush():
    async def scenario() -> tuple[list[int], int, int]:
        schedule = W.LoopScheduler()
        threads: list[int] = []

        def work() -> None:
            for _ in range(3):
                schedule(lambda: threads.append(threading.get_ident()))

        t = threading.Thread(target=work)
        t.start()
        t.join()
        flushed = schedule.flush()  # runs the three now; the loop's own turns then find nothing
        for _ in range(3):
            await asyncio.sleep(0)
        t = threading.Thread(target=work)
        t.start()
        t.join()
        for _ in range(3):
            await asyncio.sleep(0)  # the loop runs these three by itself
        return threads, flushed, schedule.pending

    threads, flushed, pending = asyncio.run(scenario())
    assert flushed == 3 and pending == 0
    assert threads == [threading.get_ident()] * 6


def test_sync_classify_and_queue_runs_agree_with_a_separate_model(core, explorer):
    """Sync classify() calls between queue runs on the same compiled model change no result."""
    from helpers.labels import to_probabilities

    reference_model = build_static_classifier(core, SHIPPED_MODEL, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    files = sorted(IMAGES_DIR.iterdir())
    reference = {display_path(f): to_probabilities(reference_model(read_for_model(f))[0]) for f in files}
    for _ in range(3):
        for f in files:
            explorer.classify(read_image(f))  # a temporary array each time
        explorer.folder.value = ""
        explorer.folder.value = str(IMAGES_DIR)
        assert explorer.wait(WAIT)
        for prediction in explorer.predictions():
            np.testing.assert_allclose(prediction.probs, reference[prediction.key], atol=1e-4)
    assert explorer.errors == []


def test_predictions_hold_the_224_pixel_image_the_static_model_saw(explorer):
    assert explorer.compiled.input().get_partial_shape().to_string() == "[1,224,224,3]"
    for prediction in explorer.predictions():
        assert prediction.pixels.shape == (224, 224, 3) and prediction.pixels.dtype == np.uint8
        np.testing.assert_array_equal(prediction.pixels, read_for_model(IMAGES_DIR / prediction.name)[0])


def test_an_idx_file_in_a_folder_gives_one_card_per_digit(explorer, tmp_path):
    idx = next(p for p in sorted(DIGITS_DIR.iterdir()) if "images" in p.name)
    header = idx.read_bytes()[:16]
    rows, cols = int.from_bytes(header[8:12], "big"), int.from_bytes(header[12:16], "big")
    three = header[:4] + (3).to_bytes(4, "big") + header[8:] + idx.read_bytes()[16 : 16 + 3 * rows * cols]
    folder = tmp_path / "digits"
    folder.mkdir()
    (folder / "three.idx3-ubyte").write_bytes(three)
    shutil.copy(IMAGES_DIR / "cat.png", folder / "zz-cat.png")
    explorer.folder.value = str(folder)
    assert explorer.wait(WAIT)
    names = [p.name for p in explorer.predictions()][len(SAMPLES) :]
    assert names == ["three.idx3-ubyte[0]", "three.idx3-ubyte[1]", "three.idx3-ubyte[2]", "zz-cat.png"]
    assert explorer.labels[explorer.predictions()[-1].top1[0]] == "Egyptian cat"
    assert "done, 4/4 inputs" in explorer.status.value
