"""Occlusion helpers: patch grids cover the image, copies are independent, maps average correctly."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import occlusion as occ


def test_grid_covers_the_image_edge_to_edge():
    positions = occ.patch_positions(224, 224, 48, 16)
    assert occ.grid_shape(224, 224, 48, 16) == (12, 12) and len(positions) == 144
    assert positions[0] == (0, 0) and positions[-1] == (176, 176)
    covered = np.zeros((224, 224), bool)
    for top, left in positions:
        covered[top : top + 48, left : left + 48] = True
    assert covered.all()


def test_last_patch_is_pulled_to_the_edge_when_the_stride_does_not_divide():
    assert occ.grid_shape(100, 50, 30, 40) == (3, 2)
    assert occ.patch_positions(100, 50, 30, 40) == [(0, 0), (0, 20), (40, 0), (40, 20), (70, 0), (70, 20)]


@pytest.mark.parametrize(("patch", "stride"), [(0, 4), (4, 0), (300, 8)])
def test_bad_patch_sizes_are_refused(patch, stride):
    with pytest.raises(ValueError):
        occ.patch_positions(224, 224, patch, stride)


def test_occlude_paints_a_grey_square_on_a_copy():
    image = np.zeros((10, 10, 3), np.uint8)
    out = occ.occlude(image, 2, 3, 4)
    assert (image == 0).all()
    assert (out[2:6, 3:7] == occ.GREY).all()
    assert out.sum() == 4 * 4 * 3 * occ.GREY


def test_drop_grid_and_largest_drops():
    probs = [0.9, 0.5, 0.8, 0.1]
    grid = occ.drop_grid(0.9, probs, (2, 2))
    np.testing.assert_allclose(grid, [[0.0, 0.4], [0.1, 0.8]])
    positions = [(0, 0), (0, 5), (5, 0), (5, 5)]
    assert [d[:3] for d in occ.largest_drops(grid, positions, 2)] == [(3, 5, 5), (1, 0, 5)]
    with pytest.raises(ValueError):
        occ.drop_grid(0.9, probs, (3, 2))


def test_pixel_map_averages_overlapping_patches():
    positions = [(0, 0), (0, 2)]
    heat = occ.pixel_map([0.4, 0.2], positions, 3, (3, 5))
    np.testing.assert_allclose(heat[0], [0.4, 0.4, 0.3, 0.2, 0.2])
