"""Detector augmentation: rotated and scaled boxes stay on the rotated object."""

from __future__ import annotations

import numpy as np
import pytest

from screwid_train.augment import rotate_scale_boxes


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_box_follows_a_rotated_bar(seed) -> None:
    img = np.zeros((96, 96), dtype=np.float32)
    img[40:50, 20:60] = 1.0  # a 40 x 10 bar, box [20, 40, 60, 50]
    box = np.array([[20, 40, 60, 50]], dtype=np.float32)
    out, got = rotate_scale_boxes(img, box, np.random.default_rng(seed))
    ys, xs = np.nonzero(out > 0.5)
    pixels = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=float)
    # The box is the bounds of the rotated inscribed ellipse, the pixels those of the rotated
    # rectangle: same centre, the box inside. For a 40 x 10 bar at 15 deg the half-height is
    # sqrt((20 sin)^2 + (5 cos)^2) = 7.1 for the ellipse against 20 sin + 5 cos = 10.0 for the
    # corners, the widest gap over +-15 deg: the box keeps >= 0.7 of each side.
    assert got.shape == (1, 4)
    b = got[0]
    np.testing.assert_allclose((b[:2] + b[2:]) / 2, (pixels[:2] + pixels[2:]) / 2, atol=1.0)
    assert (b[:2] >= pixels[:2] - 1).all() and (b[2:] <= pixels[2:] + 1).all()
    assert ((b[2:] - b[:2]) >= 0.65 * (pixels[2:] - pixels[:2])).all()


def test_no_change_at_zero_angle_and_scale() -> None:
    img = np.random.default_rng(0).uniform(0, 1, (32, 32)).astype(np.float32)
    box = np.array([[4, 4, 12, 20]], dtype=np.float32)
    out, got = rotate_scale_boxes(img, box, np.random.default_rng(0), rot_deg=0.0, scale=0.0)
    np.testing.assert_allclose(out, img, atol=1e-5)
    np.testing.assert_allclose(got, box, atol=1e-4)
