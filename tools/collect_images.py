"""Copy the sample photos into data/images from the packages that bundle them.

Sources: scikit-image's bundled ``data/`` folder and matplotlib's ``sample_data``
(both installed by the ``export`` extra). Nothing is downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import skimage

REPO = Path(__file__).resolve().parents[1]
SKIMAGE = Path(skimage.__file__).parent / "data"
MPL = Path(matplotlib.get_data_path()) / "sample_data"

# target name -> source file
IMAGES = {
    "cat.png": SKIMAGE / "chelsea.png",
    "coffee.png": SKIMAGE / "coffee.png",
    "grace_hopper.jpg": MPL / "grace_hopper.jpg",
    "cameraman.png": SKIMAGE / "camera.png",
    "rocket.jpg": SKIMAGE / "rocket.jpg",
    "motorcycle.png": SKIMAGE / "motorcycle_left.png",
}


def main() -> None:
    """Copy every sample image, byte for byte, into data/images."""
    out = REPO / "data" / "images"
    out.mkdir(parents=True, exist_ok=True)
    for name, src in IMAGES.items():
        shutil.copyfile(src, out / name)
        print(f"{name:<18} <- {src.parent.parent.name}/{src.parent.name}/{src.name}")


if __name__ == "__main__":
    main()
