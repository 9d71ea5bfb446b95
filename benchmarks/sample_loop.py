"""The peer of ``classify-async``: OpenVINO's Python "Image Classification Async" sample's loop.

Written here in the sample's structure (``classification_sample_async.py`` in
openvinotoolkit/openvino), so that ``make bench`` can run it as a whole process beside the CLI:

- ``read_model``, then a ``PrePostProcessor`` taking u8 NHWC (the sample's), plus the shipped
  model's mean and scale so that both sides compute the same function;
- ``compile_model`` at the device's defaults (hint and precision), no cache;
- ``AsyncInferQueue(compiled)`` at its default size (``OPTIMAL_NUMBER_OF_INFER_REQUESTS``: one
  request under the CPU's LATENCY hint on a small machine);
- each file decoded and resized in the loop that feeds the queue, so the next photo is decoded
  while the request runs (the sample uses OpenCV; PIL's bilinear filter here gives the CLI's pixels);
- a callback that keeps each image's top-10 (``np.argsort`` of the output, as the sample does),
  printed in the sample's block after ``wait_all``.

``--precision f32`` sets ``INFERENCE_PRECISION_HINT`` (the bench compares both sides at the same
precision). Usage: ``python benchmarks/sample_loop.py -i FOLDER_OR_FILES [-m MODEL] [-d CPU]``.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import openvino as ov
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]
SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-m", "--model", default=str(REPO / "data/models/efficientnet-lite0.onnx"))
    parser.add_argument("-i", "--input", nargs="+", required=True)
    parser.add_argument("-d", "--device", default="CPU")
    parser.add_argument("--precision", default=None, help="INFERENCE_PRECISION_HINT (default: the device's)")
    return parser.parse_args()


def image_paths(inputs: list[str]) -> list[Path]:
    found: list[Path] = []
    for item in map(Path, inputs):
        found += (
            sorted(p for p in item.iterdir() if p.suffix.lower() in SUFFIXES) if item.is_dir() else [item]
        )
    return found


def main() -> int:
    args = parse_args()
    paths = image_paths(args.input)

    # Step 1-2: read the model, add the preprocessing (u8 NHWC in, NCHW f32 model).
    core = ov.Core()
    model = core.read_model(args.model)
    _, _, h, w = model.input().shape
    ppp = ov.preprocess.PrePostProcessor(model)
    ppp.input().tensor().set_shape([1, h, w, 3]).set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC"))
    ppp.input().preprocess().convert_element_type(ov.Type.f32).mean(MEAN).scale(STD)
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    ppp.output().tensor().set_element_type(ov.Type.f32)
    model = ppp.build()

    # Step 3: compile at the device's defaults.
    config = {"INFERENCE_PRECISION_HINT": args.precision} if args.precision else {}
    compiled_model = core.compile_model(model, args.device, config)

    # Step 4: the queue at its default size, a callback that keeps the top-10.
    infer_queue = ov.AsyncInferQueue(compiled_model)
    top10: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def completion_callback(infer_request: ov.InferRequest, index: int) -> None:
        predictions = next(iter(infer_request.results.values()))
        probs = predictions.reshape(-1)
        ids = np.argsort(probs)[-10:][::-1]
        top10[index] = (ids, probs[ids])

    infer_queue.set_callback(completion_callback)

    # Step 5: decode + resize each file in the loop that feeds the queue.
    for i, path in enumerate(paths):
        with Image.open(path) as im:
            image = np.asarray(im.convert("RGB").resize((w, h), Image.Resampling.BILINEAR))
        infer_queue.start_async({0: np.expand_dims(image, 0)}, i)
    infer_queue.wait_all()

    # Step 6: the sample's block per image.
    lines = []
    for i, path in enumerate(paths):
        ids, probs = top10[i]
        lines += [f"Image path: {path}", "Top 10 results: ", "class_id probability", "-" * 20]
        lines += [f"{cid:<8} {p:.7f}" for cid, p in zip(ids, probs, strict=True)]
        lines.append("")
    print("\n".join(f"[ INFO ] {line}" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
