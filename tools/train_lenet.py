"""Train a tiny LeNet-style digit classifier on scikit-learn's bundled digits and ship it for the CLI.

Writes data/models/lenet-digits.onnx (input ``image`` [1,1,28,28] float32 raw pixels 0..255,
output ``logits`` [1,10]), data/models/lenet-digits.labels (0..9) and the held-out digits as
MNIST IDX files in data/digits/ (test-images.idx3-ubyte, magic 2051; test-labels.idx1-ubyte,
magic 2049). Needs torch (CPU build), scikit-learn and onnx, e.g. the ``export`` extra:

    python tools/train_lenet.py

The 8x8 digits (values 0..16) are scaled to 0..255, upsampled to 20x20 (bilinear) and centred
in a 28x28 frame like MNIST: white digit on black. Fixed seed, stratified 80/20 split.
"""

from __future__ import annotations

import argparse
import hashlib
import struct
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODEL_NAME = "lenet-digits"
SEED = 0
TEST_FRACTION = 0.2
EPOCHS = 40
BATCH = 32
SHIFT = 2
IDX_IMAGES_MAGIC = 2051
IDX_LABELS_MAGIC = 2049


def load_digits_28() -> tuple[np.ndarray, np.ndarray]:
    """Return scikit-learn's digits as (N, 28, 28) uint8 (0..255, MNIST-like framing) and labels."""
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.from_numpy(digits.images.astype(np.float32) * (255.0 / 16.0))[:, None]
    x = F.interpolate(x, size=(20, 20), mode="bilinear", align_corners=False)
    x = F.pad(x, (4, 4, 4, 4))
    pixels = np.clip(np.rint(x[:, 0].numpy()), 0, 255).astype(np.uint8)
    return pixels, digits.target.astype(np.uint8)


def build_model():
    """LeNet-style CNN; the first op scales raw 0..255 pixels to 0..1, so callers feed raw values."""
    import torch
    from torch import nn

    class LeNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 6, 5, padding=2),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(6, 16, 5),
                nn.ReLU(),
                nn.MaxPool2d(2),
            )
            self.classifier = nn.Sequential(nn.Linear(16 * 5 * 5, 84), nn.ReLU(), nn.Linear(84, 10))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = x * (1.0 / 255.0)
            return self.classifier(torch.flatten(self.features(x), 1))

    return LeNet()


def shift(batch, gen):
    """Augment: shift the whole batch by up to 2 pixels in x and y (zeros come in at the border)."""
    import torch
    import torch.nn.functional as F

    padded = F.pad(batch, (SHIFT, SHIFT, SHIFT, SHIFT))
    dy, dx = torch.randint(0, 2 * SHIFT + 1, (2,), generator=gen).tolist()
    return padded[..., dy : dy + batch.shape[-2], dx : dx + batch.shape[-1]]


def train(x_train: np.ndarray, y_train: np.ndarray):
    """Train with Adam for a fixed number of epochs (deterministic on one CPU thread)."""
    import torch
    from torch import nn

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    model = build_model()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt = torch.from_numpy(x_train.astype(np.float32))[:, None]
    yt = torch.from_numpy(y_train.astype(np.int64))
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for start in range(0, len(xt), BATCH):
            idx = order[start : start + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(shift(xt[idx], gen)), yt[idx])
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        if epoch % 10 == 9:
            print(f"epoch {epoch + 1}: loss {total / len(xt):.4f}")
    return model.eval()


def torch_accuracy(model, x: np.ndarray, y: np.ndarray) -> int:
    """Return how many digits the torch model classifies correctly."""
    import torch

    with torch.no_grad():
        pred = model(torch.from_numpy(x.astype(np.float32))[:, None]).argmax(1).numpy()
    return int((pred == y).sum())


def export_onnx(model, out_path: Path) -> None:
    """Export with torch's TorchScript-based exporter (dynamo=False), static shape [1,1,28,28]."""
    import torch
    from onnx_export import export_static

    export_static(model, torch.zeros(1, 1, 28, 28), out_path)


def write_idx_images(path: Path, images: np.ndarray) -> None:
    """Write (N, rows, cols) uint8 images as an MNIST IDX3 file (big-endian header, magic 2051)."""
    n, rows, cols = images.shape
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack(">iiii", IDX_IMAGES_MAGIC, n, rows, cols) + images.tobytes())


def write_idx_labels(path: Path, labels: np.ndarray) -> None:
    """Write uint8 labels as an MNIST IDX1 file (magic 2049)."""
    path.write_bytes(struct.pack(">ii", IDX_LABELS_MAGIC, len(labels)) + labels.astype(np.uint8).tobytes())


def update_card_checksum(card: Path, name: str, sha: str) -> bool:
    """Replace the ``<sha>  <name>`` line in the model card's Checksums block; True if it changed."""
    import re

    text = card.read_text(encoding="utf-8")
    new = re.sub(rf"^[0-9a-f]{{64}}  {re.escape(name)}$", f"{sha}  {name}", text, count=1, flags=re.M)
    if new == text:
        return False
    card.write_text(new, encoding="utf-8")
    return True


def main() -> None:
    """Command-line entry: train, report held-out accuracy, write model, labels and IDX files."""
    from sklearn.model_selection import train_test_split

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models-dir", type=Path, default=REPO / "data" / "models")
    parser.add_argument("--digits-dir", type=Path, default=REPO / "data" / "digits")
    args = parser.parse_args()

    pixels, target = load_digits_28()
    x_train, x_test, y_train, y_test = train_test_split(
        pixels, target, test_size=TEST_FRACTION, random_state=SEED, stratify=target
    )
    print(f"{len(x_train)} training digits, {len(x_test)} held-out digits")
    model = train(x_train, y_train)
    train_ok = torch_accuracy(model, x_train, y_train)
    test_ok = torch_accuracy(model, x_test, y_test)
    print(f"train accuracy {train_ok}/{len(y_train)} = {train_ok / len(y_train):.2%}")
    print(f"held-out accuracy (torch) {test_ok}/{len(y_test)} = {test_ok / len(y_test):.2%}")

    onnx_path = args.models_dir / f"{MODEL_NAME}.onnx"
    export_onnx(model, onnx_path)
    (args.models_dir / f"{MODEL_NAME}.labels").write_text("".join(f"{i}\n" for i in range(10)), "utf-8")
    write_idx_images(args.digits_dir / "test-images.idx3-ubyte", x_test)
    write_idx_labels(args.digits_dir / "test-labels.idx1-ubyte", y_test)
    sha = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    print(f"wrote {onnx_path.name} ({onnx_path.stat().st_size} bytes), labels and IDX files")
    print(f"{sha}  {onnx_path.name}")
    card = args.models_dir / "README.md"
    if args.models_dir.resolve() == (REPO / "data" / "models").resolve() and card.is_file():
        if update_card_checksum(card, onnx_path.name, sha):
            print(f"updated the checksum in {card.relative_to(REPO)}; check the accuracy table there too")


if __name__ == "__main__":
    main()
