import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import images, paths
from helpers.images import ImageReadError, load_images, read_image


def _save(img: Image.Image, path: Path, **kw) -> Path:
    img.save(path, **kw)
    return path


@pytest.fixture
def rgb() -> Image.Image:
    arr = np.zeros((40, 60, 3), np.uint8)
    arr[:, :30] = (255, 0, 0)
    arr[:, 30:] = (0, 0, 255)
    return Image.fromarray(arr)


def test_rgb_png_roundtrip(tmp_path, rgb):
    a = read_image(_save(rgb, tmp_path / "a.png"))
    assert a.shape == (40, 60, 3) and a.dtype == np.uint8
    assert tuple(a[0, 0]) == (255, 0, 0) and tuple(a[0, -1]) == (0, 0, 255)


def test_grayscale_becomes_rgb(tmp_path):
    g = Image.fromarray(np.full((10, 12), 77, np.uint8), "L")
    a = read_image(_save(g, tmp_path / "g.png"))
    assert a.shape == (10, 12, 3) and (a == 77).all()


def test_rgba_is_composited_on_white(tmp_path):
    arr = np.zeros((8, 8, 4), np.uint8)
    arr[..., 0] = 255
    arr[:, :4, 3] = 255  # left half opaque red, right half transparent
    a = read_image(_save(Image.fromarray(arr, "RGBA"), tmp_path / "a.png"))
    assert tuple(a[0, 0]) == (255, 0, 0) and tuple(a[0, -1]) == (255, 255, 255)


def test_palette_and_cmyk(tmp_path, rgb):
    p = read_image(_save(rgb.convert("P"), tmp_path / "p.gif"))
    assert p.shape == (40, 60, 3) and p[0, 0, 0] > 200
    c = read_image(_save(rgb.convert("CMYK"), tmp_path / "c.jpg", quality=95))
    assert c.shape == (40, 60, 3)
    assert c[20, 5, 0] > 200 and c[20, 5, 2] < 60  # still red on the left


def test_16bit_png_scaled_to_8bit(tmp_path):
    arr = np.full((6, 6), 65535, np.uint16)
    arr[:3] = 32768
    a = read_image(_save(Image.fromarray(arr), tmp_path / "deep.png"))
    assert a.dtype == np.uint8 and a.shape == (6, 6, 3)
    assert a[5, 0, 0] == 255 and a[0, 0, 0] == 128


def test_exif_rotation_comes_out_upright(tmp_path):
    wide = Image.fromarray(np.zeros((20, 50, 3), np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW on display
    a = read_image(_save(wide, tmp_path / "r.jpg", exif=exif))
    assert a.shape[:2] == (50, 20)


@pytest.mark.parametrize(
    ("content", "suffix", "reason"),
    [
        (b"", ".jpg", "file is empty"),
        (b"hello, I am text", ".jpg", "not a recognised image format"),
        (b"<!doctype html><html><body>404</body></html>", ".png", "not a recognised image format"),
    ],
)
def test_bad_files_raise_one_line(tmp_path, content, suffix, reason):
    p = tmp_path / f"bad{suffix}"
    p.write_bytes(content)
    with pytest.raises(ImageReadError) as info:
        read_image(p)
    msg = str(info.value)
    assert reason in msg and "bad" in msg and "\n" not in msg


def test_missing_and_truncated(tmp_path, rgb):
    with pytest.raises(ImageReadError, match="file not found"):
        read_image(tmp_path / "nope.png")
    full = _save(rgb.resize((300, 200)), tmp_path / "t.jpg", quality=90).read_bytes()
    (tmp_path / "t.jpg").write_bytes(full[: len(full) // 2])
    with pytest.raises(ImageReadError, match="truncated or corrupt"):
        read_image(tmp_path / "t.jpg")


def test_load_images_keeps_good_ones_and_lists_errors(tmp_path, rgb):
    _save(rgb, tmp_path / "b.png")
    (tmp_path / "a.jpg").write_bytes(b"junk")
    _save(rgb, tmp_path / "c.png")
    (tmp_path / "notes.txt").write_text("ignored: not an image suffix")
    good, errors = load_images([tmp_path, tmp_path / "missing.png"])
    assert [Path(g.name).name for g in good] == ["b.png", "c.png"]
    assert [Path(e.path).name for e in errors] == ["a.jpg", "missing.png"]


def test_empty_folder_is_an_error(tmp_path):
    good, errors = load_images([tmp_path])
    assert good == [] and len(errors) == 1 and "no image files" in errors[0].reason


def test_idx_reader_reads_every_image(tmp_path):
    digits = np.arange(3 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(3, 28, 28)
    p = tmp_path / "t.idx3-ubyte"
    p.write_bytes(struct.pack(">iiii", 2051, 3, 28, 28) + digits.tobytes())
    assert images.is_idx_file(p)
    assert images.idx_count(p) == 3 and images.idx_count(tmp_path / "missing") == 0
    np.testing.assert_array_equal(images.read_idx_images(p), digits)
    good, errors = load_images([p], keep_gray=True)
    assert [g.name for g in good] == [f"{p}[0]", f"{p}[1]", f"{p}[2]"] and not errors
    assert good[0].pixels.shape == (28, 28)


def test_idx_short_file_is_refused(tmp_path):
    p = tmp_path / "short.idx3-ubyte"
    p.write_bytes(struct.pack(">iiii", 2051, 5, 28, 28) + b"\0" * 100)
    with pytest.raises(ImageReadError, match="header promises"):
        images.read_idx_images(p)


def test_read_for_model_gives_the_pixels_of_read_image_then_resize(tmp_path):
    """``read_for_model`` resizes the decoded image without a full-size array: same pixels, own array."""
    from reliability_inputs import make_zoo

    make_zoo(tmp_path, large=False)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file()) + images.list_image_files(paths.IMAGES_DIR)
    compared = 0
    for path in files:
        try:
            expected = images.resize_for_model(images.read_image(path), 224)
        except images.ImageReadError as exc:
            with pytest.raises(images.ImageReadError) as again:
                images.read_for_model(path, 224)
            assert str(again.value) == str(exc)
            continue
        batch = images.read_for_model(path, 224)
        assert batch.shape == (1, 224, 224, 3) and batch.dtype == np.uint8, path.name
        assert np.array_equal(batch, expected), path.name
        assert batch.flags.writeable and batch.flags.c_contiguous, path.name
        compared += 1
    assert compared >= 15, f"only {compared} readable images: the zoo changed"
